using MailKit;
using MailKit.Net.Imap;
using MailKit.Security;
using TokenBroker.Mail.Net;
using TokenBroker.Testing;
using TokenBroker.Tests.Bridge.Support;

namespace TokenBroker.Tests.Bridge;

/// <summary>After login the bridge is a plain byte relay: IDLE works through it, and when the server ends the session
/// (as Exchange does when a token expires during a long IDLE) the app's connection ends too, so the app reconnects
/// and logs in again with a fresh token.</summary>
public sealed class BridgeRelayTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task When_the_mail_server_drops_an_idling_session_the_app_is_disconnected_and_a_reconnect_gets_an_answer()
    {
        var upstream = new CountingTcpProxy(PeersEnvironment.Get("MAIL_HOST"), PeersEnvironment.GetInt("IMAPS_PORT"));
        await using var bridge = await RunningBridge.StartAsync("bridge-idle", adjust: s => s["Bridge:Imap:Upstream"] = $"imaps://{PeersEnvironment.Get("MAIL_HOST")}:{upstream.Port}");
        var mailbox = Maildir.UniqueAddress("idler");
        await bridge.ConsentAsync(mailbox);
        var secret = await bridge.AddAppAsync("thunderbird", mailbox);
        using var app = new ImapClient { ServerCertificateValidationCallback = TestCertificates.ValidationCallback, Timeout = 30_000 };
        await app.ConnectAsync("localhost", bridge.Port(MailProtocol.Imap), SecureSocketOptions.StartTls, Ct);
        await app.AuthenticateAsync(mailbox, secret, Ct);
        await app.Inbox.OpenAsync(FolderAccess.ReadOnly, Ct);
        Assert.True(app.Capabilities.HasFlag(ImapCapabilities.Idle), "the server's capabilities (IDLE) reach the app after login");
        using var done = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var idle = app.IdleAsync(done.Token, Ct);
        await Task.Delay(300, Ct);

        await upstream.DisposeAsync(); // the server ends every session, as Exchange does on token expiry

        var ended = await Assert.ThrowsAnyAsync<Exception>(() => idle);
        Assert.True(ended is ImapProtocolException or IOException, ended.ToString());
        Assert.False(app.IsConnected);
        using var reconnected = new ImapClient { ServerCertificateValidationCallback = TestCertificates.ValidationCallback, Timeout = 30_000 };
        await reconnected.ConnectAsync("localhost", bridge.Port(MailProtocol.Imap), SecureSocketOptions.StartTls, Ct);
        // The upstream is gone for good here: the new login is refused as a temporary failure, not hung.
        var refused = await Assert.ThrowsAsync<AuthenticationException>(() => reconnected.AuthenticateAsync(mailbox, secret, Ct));
        Assert.Contains("could not log in to the mail server", refused.Message, StringComparison.Ordinal);
    }
}
