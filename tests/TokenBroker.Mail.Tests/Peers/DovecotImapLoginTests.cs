using TokenBroker.Testing;

namespace TokenBroker.Mail.Tests.Peers;

/// <summary>
/// The local Dovecot accepts access tokens minted by the local identity server, over IMAP with
/// STARTTLS, and refuses the tokens Exchange Online would refuse, for the reason intended.
/// </summary>
public sealed class DovecotImapLoginTests : IDisposable
{
    private readonly IdentityServerControl _identity = new();
    private readonly string _user = Maildir.UniqueAddress("imap");

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Imap_login_with_XOAUTH2_succeeds_for_a_minted_token()
    {
        var token = await _identity.MintAccessTokenAsync(_user, ["IMAP.AccessAsUser.All"], cancellationToken: Cancellation);

        var result = await AuthenticateAsync("XOAUTH2", SaslPayloads.XOAuth2(_user, token));

        Assert.StartsWith("a2 OK", result);
    }

    [Fact]
    public async Task Imap_login_with_OAUTHBEARER_succeeds_for_a_minted_token()
    {
        var token = await _identity.MintAccessTokenAsync(_user, ["IMAP.AccessAsUser.All"], cancellationToken: Cancellation);

        var result = await AuthenticateAsync("OAUTHBEARER", SaslPayloads.OAuthBearer(_user, token, PeersEnvironment.GetInt("IMAP_PORT")));

        Assert.StartsWith("a2 OK", result);
    }

    [Fact]
    public async Task Imap_login_is_refused_for_a_token_signed_with_the_wrong_key()
    {
        var token = await _identity.MintAccessTokenAsync(_user, wrongKey: true, cancellationToken: Cancellation);

        var result = await AuthenticateAsync("XOAUTH2", SaslPayloads.XOAuth2(_user, token));

        Assert.Equal("a2 NO [AUTHENTICATIONFAILED] Authentication failed.", result);
        await DovecotLog.WaitForLineAsync(_user, "Bad signature", Cancellation);
    }

    [Fact]
    public async Task Imap_login_is_refused_for_an_expired_token()
    {
        var token = await _identity.MintAccessTokenAsync(_user, expiresIn: TimeSpan.FromMinutes(-5), cancellationToken: Cancellation);

        var result = await AuthenticateAsync("OAUTHBEARER", SaslPayloads.OAuthBearer(_user, token, PeersEnvironment.GetInt("IMAP_PORT")));

        Assert.Equal("a2 NO [AUTHENTICATIONFAILED] Authentication failed.", result);
        await DovecotLog.WaitForLineAsync(_user, "Token has expired", Cancellation);
    }

    [Fact]
    public async Task Imap_login_is_refused_for_a_token_issued_to_another_user()
    {
        var token = await _identity.MintAccessTokenAsync(Maildir.UniqueAddress("other"), cancellationToken: Cancellation);

        var result = await AuthenticateAsync("XOAUTH2", SaslPayloads.XOAuth2(_user, token));

        Assert.Equal("a2 NO [AUTHENTICATIONFAILED] Authentication failed.", result);
        await DovecotLog.WaitForLineAsync(_user, "did not match", Cancellation);
    }

    /// <summary>STARTTLS, then AUTHENTICATE with the initial response; answers a failure challenge as the mechanism says.</summary>
    private static async Task<string> AuthenticateAsync(string mechanism, string initialResponse)
    {
        await using var imap = await PeerConnection.ConnectAsync(PeersEnvironment.GetInt("IMAP_PORT"), cancellationToken: Cancellation);
        Assert.StartsWith("* OK", await imap.ReadLineAsync(Cancellation));
        await imap.WriteLineAsync("a1 STARTTLS", Cancellation);
        Assert.StartsWith("a1 OK", (await imap.ReadUntilAsync(l => l.StartsWith("a1 ", StringComparison.Ordinal), Cancellation))[^1]);
        await imap.StartTlsAsync(Cancellation);

        await imap.WriteLineAsync($"a2 AUTHENTICATE {mechanism} {initialResponse}", Cancellation);
        var line = await imap.ReadLineAsync(Cancellation);
        if (line.StartsWith('+'))
        {
            await imap.WriteLineAsync(SaslPayloads.ChallengeAnswer(mechanism), Cancellation);
            line = await imap.ReadLineAsync(Cancellation);
        }
        while (line.StartsWith("* ", StringComparison.Ordinal))
            line = await imap.ReadLineAsync(Cancellation);
        return line;
    }

    public void Dispose() => _identity.Dispose();
}
