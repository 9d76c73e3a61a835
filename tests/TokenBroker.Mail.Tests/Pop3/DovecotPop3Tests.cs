using TokenBroker.Mail.Fetch;
using TokenBroker.Mail.Pop3;
using TokenBroker.Mail.Tests.Support;
using TokenBroker.Testing;

namespace TokenBroker.Mail.Tests.Pop3;

/// <summary>Against the real Dovecot of infra/local/peers (started by the test command).</summary>
public class DovecotPop3Tests
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private static async Task<Pop3Client> LoginAsync(MailLogin login, bool implicitTls = true)
    {
        var endpoint = implicitTls ? MailPeers.Pop3s : MailPeers.Pop3;
        var client = await Pop3Client.ConnectAsync(endpoint, MailPeers.ClientOptions(), Cancel);
        await client.AuthenticateAsync(login.CreateMechanism(endpoint), Cancel);
        return client;
    }

    [Theory]
    [MemberData(nameof(MailPeers.TlsModesAndMechanisms), MemberType = typeof(MailPeers))]
    public async Task Logs_in_with_an_oauth_token(bool implicitTls, MailSaslMechanism mechanism)
    {
        var user = MailPeers.NewUser("pop-login");
        await using var client = await LoginAsync(new MailLogin(user, await MailPeers.MintTokenAsync(user), mechanism), implicitTls);

        Assert.True(client.IsAuthenticated);
        Assert.Equal(new Pop3Status(0, 0), await client.StatAsync(Cancel));
        await client.QuitAsync(Cancel);
    }

    [Fact]
    public async Task A_6_KB_token_logs_in_after_the_prompt()
    {
        var user = MailPeers.NewUser("pop-big");
        var token = await MailPeers.MintTokenOfLengthAsync(user, 6000);
        Assert.InRange(token.Length, 5950, 6050);

        await using var client = await LoginAsync(new MailLogin(user, token));

        Assert.True(client.IsAuthenticated);
    }

    [Theory]
    [MemberData(nameof(MailPeers.RefusedTokenProblems), MemberType = typeof(MailPeers))]
    public async Task A_refused_token_fails_with_the_reply_and_the_decoded_challenge(string problem)
    {
        var user = MailPeers.NewUser("pop-bad");
        var token = await MailPeers.MintRefusedTokenAsync(user, problem);

        var error = await Assert.ThrowsAsync<MailAuthenticationException>(() => LoginAsync(new MailLogin(user, token, MailSaslMechanism.OAuthBearer)));

        Assert.Equal("-ERR [AUTH] Authentication failed.", error.ServerReply);
        Assert.Equal("invalid_token", error.SaslServerError?.Status); // Dovecot's OAUTHBEARER status (XOAUTH2 says "401")
    }

    [Fact]
    public async Task A_5_MB_message_with_non_ascii_names_is_read_back_byte_exact()
    {
        var mailbox = await DovecotMailbox.CreateAsync("pop-5mb");
        var message = TestMessages.WithLargeAttachment(5 * 1024 * 1024, seed: 11);
        await mailbox.AppendAsync(message);
        await using var client = await LoginAsync(mailbox.Login());

        var uidl = Assert.Single(await client.UidlAsync(Cancel));
        Assert.Equal(uidl, await client.UidlAsync(1, Cancel));
        Assert.Equal(message.Length, (await client.ListAsync(1, Cancel)).Size);
        var destination = new MemoryStream();
        var written = await client.RetrAsync(1, destination, Cancel);

        Assert.Equal(message.Length, written);
        Assert.Equal(message, destination.ToArray());
        var stored = Assert.Single(Maildir.For(mailbox.User).List()).ReadAllBytes();
        Assert.Equal(TestMessages.AsServed(stored), destination.ToArray());
    }

    [Fact]
    public async Task Deletions_take_effect_only_at_quit_and_rset_undoes_them()
    {
        var mailbox = await DovecotMailbox.CreateAsync("pop-dele");
        await mailbox.AppendAsync(TestMessages.Simple("one"), TestMessages.Simple("two"));

        await using (var first = await LoginAsync(mailbox.Login()))
        {
            await first.DeleAsync(1, Cancel);
            await first.RsetAsync(Cancel);
            await first.DeleAsync(2, Cancel);
            await first.NoopAsync(Cancel);
            Assert.Equal(1, (await first.StatAsync(Cancel)).MessageCount);
        } // dropped without QUIT: nothing is deleted

        await using (var second = await LoginAsync(mailbox.Login()))
        {
            Assert.Equal(2, (await second.StatAsync(Cancel)).MessageCount);
            await second.DeleAsync(2, Cancel);
            await second.QuitAsync(Cancel);
        }

        await using var third = await LoginAsync(mailbox.Login());
        Assert.Equal(1, (await third.StatAsync(Cancel)).MessageCount);
    }
}
