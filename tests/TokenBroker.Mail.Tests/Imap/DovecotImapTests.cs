using TokenBroker.Mail.Fetch;
using TokenBroker.Mail.Imap;
using TokenBroker.Mail.Net;
using TokenBroker.Mail.Tests.Support;
using TokenBroker.Testing;

namespace TokenBroker.Mail.Tests.Imap;

/// <summary>Against the real Dovecot of infra/local/peers (started by the test command).</summary>
public class DovecotImapTests
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private static async Task<ImapClient> LoginAsync(string user, string? token = null, bool implicitTls = true, MailSaslMechanism mechanism = MailSaslMechanism.XOAuth2)
    {
        var endpoint = implicitTls ? MailPeers.Imaps : MailPeers.Imap;
        var client = await ImapClient.ConnectAsync(endpoint, MailPeers.ClientOptions(), Cancel);
        var login = new MailLogin(user, token ?? await MailPeers.MintTokenAsync(user), mechanism);
        await client.AuthenticateAsync(login.CreateMechanism(endpoint), Cancel);
        return client;
    }

    [Theory]
    [MemberData(nameof(MailPeers.TlsModesAndMechanisms), MemberType = typeof(MailPeers))]
    public async Task Logs_in_with_an_oauth_token(bool implicitTls, MailSaslMechanism mechanism)
    {
        var user = MailPeers.NewUser("imap-login");
        await using var client = await LoginAsync(user, implicitTls: implicitTls, mechanism: mechanism);

        Assert.True(client.IsAuthenticated);
        Assert.True(client.IsEncrypted);
        var inbox = await client.SelectAsync("INBOX", cancellationToken: Cancel);
        Assert.NotEqual(0u, inbox.UidValidity);
        await client.LogoutAsync(Cancel);
    }

    // Dovecot refuses SASL responses over 8 KiB of base64 ("Authentication response too large"), which
    // a token of about 6,100 characters reaches; 6,000 characters is the size real Entra tokens approach.
    [Fact]
    public async Task A_6_KB_token_logs_in_with_SASL_IR()
    {
        var user = MailPeers.NewUser("imap-big");
        var token = await MailPeers.MintTokenOfLengthAsync(user, 6000);
        Assert.InRange(token.Length, 5950, 6050);

        await using var client = await LoginAsync(user, token);

        Assert.True(client.IsAuthenticated);
    }

    [Theory]
    [MemberData(nameof(MailPeers.RefusedTokenProblems), MemberType = typeof(MailPeers))]
    public async Task A_refused_token_fails_with_the_reply_and_the_decoded_challenge(string problem)
    {
        var user = MailPeers.NewUser("imap-bad");
        var token = await MailPeers.MintRefusedTokenAsync(user, problem);

        var error = await Assert.ThrowsAsync<MailAuthenticationException>(() => LoginAsync(user, token));

        Assert.Contains("NO [AUTHENTICATIONFAILED]", error.ServerReply);
        Assert.Equal("401", error.SaslServerError?.Status);
        Assert.Equal("bearer", error.SaslServerError?.Schemes);
    }

    [Fact]
    public async Task A_5_MB_message_with_non_ascii_names_is_read_back_byte_exact()
    {
        var user = MailPeers.NewUser("imap-5mb");
        var message = TestMessages.WithLargeAttachment(5 * 1024 * 1024);
        await using var client = await LoginAsync(user);
        var uid = await client.AppendAsync("INBOX", message, cancellationToken: Cancel);
        await client.SelectAsync("INBOX", readOnly: true, Cancel);

        byte[]? fetched = null;
        await client.UidFetchAsync(uid!.Value.ToString(System.Globalization.CultureInfo.InvariantCulture), ImapFetchItems.All, (m, _) =>
        {
            fetched = ((MemoryStream)m.Body!).ToArray();
            Assert.Equal(message.Length, m.Size);
            return ValueTask.CompletedTask;
        }, cancellationToken: Cancel);

        Assert.Equal(message, fetched);
        var stored = Assert.Single(Maildir.For(user).List()).ReadAllBytes();
        Assert.Equal(TestMessages.AsServed(stored), fetched);
    }

    [Fact]
    public async Task Uid_search_after_the_last_uid_returns_nothing_although_the_server_matches_the_last_message()
    {
        var user = MailPeers.NewUser("imap-search");
        await using var client = await LoginAsync(user);
        await client.AppendAsync("INBOX", TestMessages.Simple("one"), cancellationToken: Cancel);
        var last = await client.AppendAsync("INBOX", TestMessages.Simple("two"), cancellationToken: Cancel);
        await client.SelectAsync("INBOX", cancellationToken: Cancel);

        Assert.Equal([last!.Value], await client.UidSearchAsync($"UID {last + 100}:*", Cancel));
        Assert.Empty(await client.UidSearchAfterAsync(last.Value, Cancel));
        Assert.Equal([last.Value], await client.UidSearchAfterAsync(last.Value - 1, Cancel));
    }

    [Fact]
    public async Task Flags_are_stored_and_messages_move_between_folders()
    {
        var user = MailPeers.NewUser("imap-move");
        await using var client = await LoginAsync(user);
        var uid = await client.AppendAsync("INBOX", TestMessages.Simple("to move"), cancellationToken: Cancel);
        await client.SelectAsync("INBOX", cancellationToken: Cancel);
        var set = uid!.Value.ToString(System.Globalization.CultureInfo.InvariantCulture);

        await client.UidStoreFlagsAsync(set, ImapStoreMode.Add, ["\\Seen", "$Processed"], Cancel);
        IReadOnlyList<string>? flags = null;
        await client.UidFetchAsync(set, ImapFetchItems.Flags, (m, _) => { flags = m.Flags; return ValueTask.CompletedTask; }, cancellationToken: Cancel);
        Assert.Contains("\\Seen", flags!);
        Assert.Contains("$Processed", flags!);

        Assert.True(client.HasCapability("MOVE"));
        await client.UidMoveAsync(set, "Archive", Cancel);
        Assert.Empty(await client.UidSearchAsync("ALL", Cancel));
        var archive = await client.SelectAsync("Archive", readOnly: true, Cancel);
        Assert.Equal(1u, archive.Exists);
        Assert.Contains(await client.ListAsync(cancellationToken: Cancel), entry => entry.Name == "Archive");
    }
}
