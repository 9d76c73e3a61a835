using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using TokenBroker.Bridge;
using TokenBroker.Callers;
using TokenBroker.Mail.Net;
using TokenBroker.Testing;
using TokenBroker.Tests.Callers;
using TokenBroker.Tests.Hosting.Support;
using TokenBroker.Tests.Jobs.Mail.Support;

namespace TokenBroker.Tests.Bridge.Support;

/// <summary>
/// The real broker (standalone, embedded store, consent through the identity server) and, next to it on the same data
/// folder, `tokenbroker bridge` as the command builds it: SMTP, IMAP and POP3 listeners on free loopback ports whose
/// upstream is Dovecot (submission, IMAPS, POP3S) validating the broker's JWTs with XOAUTH2.
/// </summary>
internal sealed class RunningBridge : IAsyncDisposable
{
    private RunningBridge(RunningBroker broker, IHost host, Dictionary<string, string> settings)
    {
        Broker = broker;
        Host = host;
        Settings = settings;
    }

    public RunningBroker Broker { get; }
    public IHost Host { get; }
    public Dictionary<string, string> Settings { get; }
    public string ClientId => Settings["OAuth:ClientId"];
    public BridgeService Service => Host.Services.GetRequiredService<BridgeService>();
    public BridgeActivity Activity => Host.Services.GetRequiredService<BridgeActivity>();
    public int Port(MailProtocol protocol) => Service.EndpointOf(protocol).Port;

    public static string SubmissionUpstream => $"smtp://{PeersEnvironment.Get("MAIL_HOST")}:{PeersEnvironment.Get("SUBMISSION_PORT")}";
    public static string ImapUpstream => $"imaps://{PeersEnvironment.Get("MAIL_HOST")}:{PeersEnvironment.Get("IMAPS_PORT")}";
    public static string Pop3Upstream => $"pop3s://{PeersEnvironment.Get("MAIL_HOST")}:{PeersEnvironment.Get("POP3S_PORT")}";

    /// <summary>
    /// The bridge as it runs next to the apps on another machine: its own empty data folder, no OAuth settings, tokens from
    /// the broker's token endpoint with its own credential (<paramref name="credential"/>, a client with "token").
    /// </summary>
    public async Task<IHost> StartRemoteAsync(string credential)
    {
        var data = Directory.CreateTempSubdirectory("tokenbroker-remote-bridge-").FullName;
        var credentialFile = Path.Combine(data, "bridge.credential");
        await File.WriteAllTextAsync(credentialFile, credential + "\n", TestContext.Current.CancellationToken);
        var remote = Settings.Where(s => s.Key.StartsWith("Bridge:", StringComparison.Ordinal)).ToDictionary(s => s.Key, s => s.Value);
        remote["Broker:DataDirectory"] = data;
        remote["TokenStore:Kind"] = "Embedded";
        remote["Logging:LogLevel:Default"] = "Warning";
        remote["Mail:ExtraTrustedCaFile"] = PeersEnvironment.Get("PEERS_CA_FILE");
        remote["Bridge:BrokerUrl"] = Broker.Client.BaseAddress!.ToString();
        remote["Bridge:CredentialFile"] = credentialFile;
        remote["Bridge:Smtp:Listen"] = remote["Bridge:Imap:Listen"] = remote["Bridge:Pop3:Listen"] = "127.0.0.1:0";
        var host = BridgeHost.Build(remote.Select(s => $"--{s.Key}={s.Value}").ToArray());
        await host.StartAsync(TestContext.Current.CancellationToken);
        await host.Services.GetRequiredService<BridgeService>().Listening.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
        return host;
    }

    /// <param name="tls">The local endpoints' TLS mode (starttls, implicit, none).</param>
    /// <param name="adjust">Changes to the bridge's settings (say, another upstream).</param>
    /// <param name="services">Extra registrations in the bridge's host (a log collector).</param>
    public static async Task<RunningBridge> StartAsync(string purpose, string tls = "starttls", Action<Dictionary<string, string>>? adjust = null,
        Action<IServiceCollection>? services = null)
    {
        var (settings, data) = MailBrokerPeers.NewBroker(purpose);
        var broker = await MailBrokerPeers.StartAsync(settings, data);
        try
        {
            var bridge = new Dictionary<string, string>(settings)
            {
                ["TokenStore:Kind"] = "Embedded",
                ["Logging:LogLevel:Default"] = "Warning",
                ["Bridge:Smtp:Listen"] = "127.0.0.1:0",
                ["Bridge:Smtp:Tls"] = tls,
                ["Bridge:Smtp:Upstream"] = SubmissionUpstream,
                ["Bridge:Imap:Listen"] = "127.0.0.1:0",
                ["Bridge:Imap:Tls"] = tls,
                ["Bridge:Imap:Upstream"] = ImapUpstream,
                ["Bridge:Pop3:Listen"] = "127.0.0.1:0",
                ["Bridge:Pop3:Tls"] = tls,
                ["Bridge:Pop3:Upstream"] = Pop3Upstream,
                ["Bridge:CertificateFile"] = PeersEnvironment.Get("PEERS_CERT_FILE"),
                ["Bridge:CertificateKeyFile"] = PeersEnvironment.Get("PEERS_KEY_FILE"),
                ["Bridge:FailedLoginDelay"] = "00:00:01",
            };
            adjust?.Invoke(bridge);
            var host = BridgeHost.Build(bridge.Select(s => $"--{s.Key}={s.Value}").ToArray(), collection =>
            {
                MailBrokerPeers.AddOAuth(collection, settings);
                services?.Invoke(collection);
            });
            await host.StartAsync(TestContext.Current.CancellationToken);
            await host.Services.GetRequiredService<BridgeService>().Listening.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
            return new RunningBridge(broker, host, bridge);
        }
        catch
        {
            await broker.DisposeAsync();
            throw;
        }
    }

    /// <summary>A mailbox connected through the consent flow (for SMTP, IMAP and POP3).</summary>
    public Task ConsentAsync(string mailbox) =>
        MailBrokerPeers.ConsentAsync(Broker.Client.BaseAddress!, mailbox, TestContext.Current.CancellationToken, "smtp,imap,pop");

    /// <summary>An app's bridge secret, as `tokenbroker clients add NAME --mailboxes … --can bridge` prints it.</summary>
    public Task<string> AddAppAsync(string name, string mailboxes, string can = "bridge") =>
        CallerTesting.AddClientAsync(Broker.Services.GetRequiredService<IClientRegistry>(), name, mailboxes, can);

    public async ValueTask DisposeAsync()
    {
        try
        {
            await Host.StopAsync(CancellationToken.None);
        }
        finally
        {
            Host.Dispose();
            await Broker.DisposeAsync();
        }
    }
}
