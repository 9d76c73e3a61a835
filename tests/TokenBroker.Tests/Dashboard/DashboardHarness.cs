using TokenBroker.Testing;
using TokenBroker.Tests.Hosting.Support;
using TokenBroker.Tests.Jobs.Mail.Support;
using TokenBroker.Tests.OAuth.Support;

namespace TokenBroker.Tests.Dashboard;

/// <summary>A standalone broker on the peers (identity server, Dovecot) with its own identity client id, and a browser.</summary>
internal sealed class DashboardHarness : IAsyncDisposable
{
    private DashboardHarness(RunningBroker broker, DashboardBrowser browser, IdentityPeer identity)
    {
        Broker = broker;
        Browser = browser;
        Identity = identity;
    }

    public RunningBroker Broker { get; }
    public DashboardBrowser Browser { get; }
    public IdentityPeer Identity { get; }
    public Uri Url => Broker.Client.BaseAddress!;
    public Microsoft.Playwright.IPage Page => Browser.Page;

    public static async Task<DashboardHarness> StartAsync(string purpose)
    {
        var (settings, data) = MailBrokerPeers.NewBroker(purpose);
        settings["Mail:Imap"] = $"imaps://{PeersEnvironment.Get("MAIL_HOST")}:{PeersEnvironment.Get("IMAPS_PORT")}";
        var broker = await MailBrokerPeers.StartAsync(settings, data);
        var browser = await DashboardBrowser.StartAsync();
        return new DashboardHarness(broker, browser, new IdentityPeer(settings["OAuth:ClientId"]));
    }

    public Task SignInAsync() => Browser.SignInAsync(Url, TestCredentials.MasterKey);

    /// <summary>A mailbox connected the way the other end-to-end tests do it (invitation, identity server, callback).</summary>
    public Task<string> ConnectedMailboxAsync(string prefix, string protocols = "imap,smtp") =>
        ConnectAsync(Maildir.UniqueAddress(prefix), protocols);

    /// <summary>As <see cref="ConnectedMailboxAsync"/> with an exact address (each broker has its own store; the identity server only needs the user).</summary>
    public async Task<string> ConnectAsync(string mailbox, string protocols = "imap,smtp")
    {
        await MailBrokerPeers.ConsentAsync(Url, mailbox, TestContext.Current.CancellationToken, protocols);
        return mailbox;
    }

    public async ValueTask DisposeAsync()
    {
        await Browser.DisposeAsync();
        await Broker.DisposeAsync();
    }
}
