using MailKit;
using TokenBroker.Mail.Net;
using TokenBroker.Mail.Sasl;
using TokenBroker.Mail.Tests.Support;

namespace TokenBroker.Mail.Tests.Sasl;

/// <summary>
/// The MailKit clients with our mechanisms against the real peers: Dovecot IMAP and POP3 (STARTTLS/STLS and
/// implicit TLS), Dovecot submission (STARTTLS and implicit TLS) and Postfix submission, each with
/// XOAUTH2 and OAUTHBEARER, a short and a ~6,000-character token, and the tokens the servers refuse.
/// </summary>
public class OAuthLoginPeerTests
{
    public static readonly string[] Servers =
        ["imap", "imaps", "pop3", "pop3s", "dovecot-starttls", "dovecot-implicit", "postfix-starttls"];

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public static TheoryData<string, string, int> Logins()
    {
        var data = new TheoryData<string, string, int>();
        foreach (var server in Servers)
            foreach (var mechanism in new[] { "xoauth2", "oauthbearer" })
                foreach (var length in new[] { 0, 6000 })
                    data.Add(server, mechanism, length);
        return data;
    }

    public static TheoryData<string, string, string> Refusals()
    {
        var data = new TheoryData<string, string, string>();
        foreach (var server in Servers)
            foreach (var mechanism in new[] { "xoauth2", "oauthbearer" })
                foreach (var problem in new[] { "expired", "wrong-user", "bad-signature" })
                    data.Add(server, mechanism, problem);
        return data;
    }

    [Theory]
    [MemberData(nameof(Logins))]
    public async Task A_valid_token_logs_in(string server, string mechanism, int tokenLength)
    {
        var user = MailPeers.NewUser("mk-login");
        var token = tokenLength == 0 ? await MailPeers.MintTokenAsync(user) : await MailPeers.MintTokenOfLengthAsync(user, tokenLength);
        var endpoint = Endpoint(server);
        using var client = await ConnectAsync(endpoint);

        await OAuthLogin.AuthenticateAsync(client, OAuthMechanisms.CreateSasl(mechanism, user, token, endpoint), Cancel);

        Assert.True(client.IsAuthenticated);
        await client.DisconnectAsync(quit: true, Cancel);
    }

    [Theory]
    [MemberData(nameof(Refusals))]
    public async Task A_refused_token_ends_with_the_server_words_and_the_decoded_challenge(string server, string mechanism, string problem)
    {
        var user = MailPeers.NewUser("mk-refused");
        var token = await MailPeers.MintRefusedTokenAsync(user, problem);
        var endpoint = Endpoint(server);
        using var client = await ConnectAsync(endpoint);

        var error = await Assert.ThrowsAsync<MailAuthenticationException>(() =>
            OAuthLogin.AuthenticateAsync(client, OAuthMechanisms.CreateSasl(mechanism, user, token, endpoint), Cancel));

        Assert.StartsWith(ExpectedReply(server), endpoint.Protocol == MailProtocol.Imap ? error.ServerReply![(error.ServerReply!.IndexOf(' ') + 1)..] : error.ServerReply);
        Assert.Equal(mechanism == "xoauth2" ? "401" : "invalid_token", error.SaslServerError?.Status);
        Assert.Contains(error.ServerReply!, error.Message);
        Assert.False(error.IsTransient);
        Assert.True(client.IsConnected, "a refused token leaves the connection usable");
    }

    [Theory]
    [InlineData("pop3")]
    [InlineData("pop3s")]
    [InlineData("imaps")]
    [InlineData("postfix-starttls")]
    [InlineData("dovecot-implicit")]
    public async Task After_a_refused_token_the_same_connection_logs_in_with_a_good_one(string server)
    {
        var user = MailPeers.NewUser("mk-again");
        var endpoint = Endpoint(server);
        var expired = await MailPeers.MintRefusedTokenAsync(user, "expired");
        using var client = await ConnectAsync(endpoint);
        await Assert.ThrowsAsync<MailAuthenticationException>(() => OAuthLogin.AuthenticateAsync(client, new XOAuth2SaslMechanism(user, expired), Cancel));

        await OAuthLogin.AuthenticateAsync(client, new XOAuth2SaslMechanism(user, await MailPeers.MintTokenAsync(user)), Cancel);

        Assert.True(client.IsAuthenticated);
        await client.DisconnectAsync(quit: true, Cancel);
    }

    [Fact]
    public async Task The_protocol_log_of_a_real_login_shows_the_dialogue_without_the_token()
    {
        var user = MailPeers.NewUser("mk-log");
        var token = await MailPeers.MintTokenOfLengthAsync(user, 3000);
        var lines = new List<string>();
        var options = MailPeers.ClientOptions(new ListLog(lines));
        using var client = MailKitConnector.CreateSmtp(options);
        await MailKitConnector.ConnectAsync(client, MailPeers.Submission("dovecot-starttls"), options, Cancel);

        await OAuthLogin.AuthenticateAsync(client, new XOAuth2SaslMechanism(user, token), Cancel);

        Assert.Contains(lines, line => line.StartsWith("S: 235 ", StringComparison.Ordinal));
        Assert.Contains(lines, line => line.StartsWith("C: <redacted ", StringComparison.Ordinal));
        Assert.DoesNotContain(lines, line => line.Contains(token[..30], StringComparison.Ordinal) || line.Length > 1100);
    }

    private static string ExpectedReply(string server) => server switch
    {
        "imap" or "imaps" => "NO [AUTHENTICATIONFAILED] Authentication failed.",
        "pop3" or "pop3s" => "-ERR [AUTH] Authentication failed.",
        "postfix-starttls" => "535 5.7.8 Error: authentication failed:",
        _ => "535 5.7.8 Authentication failed.",
    };

    private static MailEndpoint Endpoint(string server) => server switch
    {
        "imap" => MailPeers.Imap,
        "imaps" => MailPeers.Imaps,
        "pop3" => MailPeers.Pop3,
        "pop3s" => MailPeers.Pop3s,
        _ => MailPeers.Submission(server),
    };

    private static async Task<MailService> ConnectAsync(MailEndpoint endpoint)
    {
        var options = MailPeers.ClientOptions();
        MailService client = endpoint.Protocol switch
        {
            MailProtocol.Imap => MailKitConnector.CreateImap(options),
            MailProtocol.Pop3 => MailKitConnector.CreatePop3(options),
            _ => MailKitConnector.CreateSmtp(options),
        };
        await MailKitConnector.ConnectAsync(client, endpoint, options, Cancel);
        Assert.True(client.IsSecure);
        return client;
    }

    private sealed class ListLog(List<string> lines) : IMailProtocolLog
    {
        public void Log(MailLogDirection direction, string line)
        {
            lock (lines) lines.Add((direction == MailLogDirection.Client ? "C: " : direction == MailLogDirection.Server ? "S: " : "* ") + line);
        }
    }
}
