using TokenBroker.Jobs;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using TokenBroker.Hosting.Functions;
using TokenBroker.Jobs.Fetch;
using TokenBroker.Jobs.Ledger;
using TokenBroker.Jobs.Mail;
using TokenBroker.Mail.Fetch;
using TokenBroker.Mail.Net;
using TokenBroker.OAuth;
using TokenBroker.Store;
using TokenBroker.Testing;
using TokenBroker.Tests.Jobs.Mail.Support;

namespace TokenBroker.Tests.Jobs.Fetch.Support;

/// <summary>
/// The mail worker with the fetch job and its real services (embedded registry, SQLite ledger, IMAP/POP3 to Dovecot),
/// tokens minted by the identity server, and two configured sinks: the webhook "helpdesk" on <see cref="WebhookPort"/>
/// (start a <see cref="WebhookReceiver"/> there) and the maildir "archive" at <see cref="MaildirRoot"/>. Each harness has
/// its own data folder; a fresh mailbox per test (Dovecot accepts any user whose token is valid).
/// </summary>
internal sealed class FetchHarness : IAsyncDisposable
{
    public const string WebhookSink = "helpdesk";
    public const string MaildirSink = "archive";
    public const string Secret = "whsec_dGVzdC13ZWJob29rLXNpZ25pbmcta2V5LTMyYnl0ZXM=";
    private readonly string _dataDirectory;
    private readonly bool _ownsData;

    private FetchHarness(ServiceProvider services, string dataDirectory, bool ownsData, MintingTokenProvider tokens, string mailbox, int webhookPort)
    {
        WebhookPort = webhookPort;
        Services = services;
        _dataDirectory = dataDirectory;
        _ownsData = ownsData;
        Tokens = tokens;
        Mailbox = mailbox;
    }

    public ServiceProvider Services { get; }
    /// <summary>The port of the "helpdesk" webhook sink's URL (http://127.0.0.1:PORT/hook).</summary>
    public int WebhookPort { get; }
    /// <summary>The root of the "archive" maildir sink.</summary>
    public string MaildirRoot => Path.Combine(_dataDirectory, "maildir-sink");
    public MintingTokenProvider Tokens { get; }
    public string Mailbox { get; }
    public IMailLedger Ledger => Services.GetRequiredService<IMailLedger>();

    public static MailEndpoint Imaps => MailEndpoint.Parse($"imaps://{PeersEnvironment.Get("MAIL_HOST")}:{PeersEnvironment.Get("IMAPS_PORT")}");
    public static MailEndpoint Pop3s => MailEndpoint.Parse($"pop3s://{PeersEnvironment.Get("MAIL_HOST")}:{PeersEnvironment.Get("POP3S_PORT")}");

    public static MailClientOptions ClientOptions()
    {
        var roots = new System.Security.Cryptography.X509Certificates.X509Certificate2Collection();
        roots.ImportFromPemFile(PeersEnvironment.Get("PEERS_CA_FILE"));
        return new MailClientOptions { ExtraTrustedRoots = roots, ConnectTimeout = TimeSpan.FromSeconds(15), CommandTimeout = TimeSpan.FromSeconds(30) };
    }

    /// <summary>A harness on a fresh mailbox, or (with <paramref name="dataDirectory"/>/<paramref name="mailbox"/>) a
    /// second broker instance over the same data, as after a restart (give it the first one's <paramref name="webhookPort"/>).</summary>
    public static async Task<FetchHarness> CreateAsync(string? dataDirectory = null, string? mailbox = null, MailboxState state = MailboxState.Connected,
        IDictionary<string, string?>? settings = null, int? webhookPort = null)
    {
        var port = webhookPort ?? MailBrokerPeers.FreePort();
        var ownsData = dataDirectory is null;
        dataDirectory ??= Directory.CreateTempSubdirectory("tokenbroker-fetch-").FullName;
        var values = new Dictionary<string, string?>
        {
            ["Broker:DataDirectory"] = dataDirectory,
            ["TokenStore:DataDirectory"] = dataDirectory,
            ["Ledger:Kind"] = "Sqlite",
            ["Mail:Smtp"] = $"smtp://{PeersEnvironment.Get("MAIL_HOST")}:{PeersEnvironment.Get("SUBMISSION_PORT")}",
            ["Mail:Imap"] = Imaps.ToString(),
            ["Mail:Pop3"] = Pop3s.ToString(),
            ["Mail:ExtraTrustedCaFile"] = PeersEnvironment.Get("PEERS_CA_FILE"),
            ["Mail:WebhookTimeout"] = "00:00:20",
            [$"Sinks:Maildirs:{MaildirSink}:Root"] = Path.Combine(dataDirectory, "maildir-sink"),
        };
        foreach (var (key, value) in WebhookSinkSettings($"http://127.0.0.1:{port}/hook")) values[key] = value;
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>()) values[key] = value;
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
        var tokens = new MintingTokenProvider();
        var services = new ServiceCollection();
        services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Warning));
        services.AddSingleton<IConfiguration>(configuration);
        services.AddEmbeddedTokenStore(configuration);
        services.AddSingleton<IMailboxTokenProvider>(tokens);
        services.AddMailJobs(configuration);
        services.AddFetchJob(configuration);
        var harness = new FetchHarness(services.BuildServiceProvider(), dataDirectory, ownsData, tokens,
            mailbox ?? $"fetch-{Guid.NewGuid():N}"[..22] + "@tokenbroker.test", port);
        if (mailbox is null) await harness.RegisterAsync(state);
        return harness;
    }

    private async Task RegisterAsync(MailboxState state)
    {
        var now = DateTimeOffset.UtcNow;
        var reason = state == MailboxState.NeedsConsent ? "AADSTS70000: the grant expired" : null;
        var record = new TokenBroker.Store.Mailbox(Mailbox, PeersEnvironment.Get("IDENTITY_TENANT"), MailboxMode.Delegated, MailProtocols.Imap | MailProtocols.Pop3,
            null, state, reason, now, now, now, now.AddHours(1), null, "oid." + PeersEnvironment.Get("IDENTITY_TENANT"), ["IMAP.AccessAsUser.All", "POP.AccessAsUser.All"], null);
        await Services.GetRequiredService<IMailboxRegistry>().SaveAsync(record, null);
    }

    /// <summary>Puts messages into the mailbox's folder with IMAP APPEND (as the mailbox's own login) and returns their UIDs.</summary>
    public async Task<List<uint>> AppendAsync(string folder, int count, string subjectPrefix = "Message")
    {
        var token = await Tokens.GetAccessTokenAsync(Mailbox);
        using var client = await TestImap.OpenAsync(Imaps, ClientOptions(), new MailLogin(Mailbox, token.AccessToken));
        var uids = await TestImap.AppendAsync(client, folder, Enumerable.Range(1, count).Select(i => Message($"{subjectPrefix} {i}")));
        await client.DisconnectAsync(quit: true);
        return uids;
    }

    /// <summary>Opens an IMAP session as the mailbox (to look at flags and folders afterwards).</summary>
    public async Task<MailKit.Net.Imap.ImapClient> OpenImapAsync()
    {
        var token = await Tokens.GetAccessTokenAsync(Mailbox);
        return await TestImap.OpenAsync(Imaps, ClientOptions(), new MailLogin(Mailbox, token.AccessToken));
    }

    public static byte[] Message(string subject) => Encoding.ASCII.GetBytes(
        $"From: Sender <sender@tokenbroker.test>\r\nTo: someone@tokenbroker.test\r\nSubject: {subject}\r\nMessage-ID: <{Guid.NewGuid():N}@tokenbroker.test>\r\n" +
        $"Date: Sat, 21 Nov 2026 10:00:00 +0000\r\n\r\nBody of {subject}.\r\n");

    /// <summary>The settings of the "helpdesk" webhook sink posting to <paramref name="url"/> (for a broker started elsewhere).</summary>
    public static Dictionary<string, string?> WebhookSinkSettings(string url) => new()
    {
        [$"Sinks:Webhooks:{WebhookSink}:Url"] = url,
        [$"Sinks:Webhooks:{WebhookSink}:Secret"] = Secret,
    };

    public JsonObject WebhookRequest(string protocol = "imap", int maxMessages = 50, string afterFetch = "none", string? moveTo = null) =>
        Request(protocol, maxMessages, afterFetch, moveTo, new JsonObject { ["name"] = WebhookSink });

    /// <summary>A fetch into the "archive" maildir sink, into <paramref name="folder"/> beneath its root when given.</summary>
    public JsonObject MaildirRequest(string? folder = null, string protocol = "imap", int maxMessages = 50)
    {
        var sink = new JsonObject { ["name"] = MaildirSink };
        if (folder is not null) sink["folder"] = folder;
        return Request(protocol, maxMessages, "none", null, sink);
    }

    private JsonObject Request(string protocol, int maxMessages, string afterFetch, string? moveTo, JsonObject sink)
    {
        var request = new JsonObject
        {
            ["version"] = 1, ["kind"] = "fetch", ["id"] = "fetch-" + Guid.NewGuid().ToString("N")[..12], ["mailbox"] = Mailbox,
            ["protocol"] = protocol, ["folder"] = "INBOX", ["maxMessages"] = maxMessages, ["afterFetch"] = afterFetch, ["sink"] = sink,
        };
        if (moveTo is not null) request["moveTo"] = moveTo;
        return request;
    }

    /// <summary>Runs one queue message through a fresh worker, as one invocation.</summary>
    public Task<InvocationOutputs> RunAsync(JsonObject request, CancellationToken cancellationToken = default) =>
        MailWorkerInvocation.RunAsync(Services, request.ToJsonString(), cancellationToken);

    public string DataDirectory => _dataDirectory;

    public async ValueTask DisposeAsync()
    {
        await Services.DisposeAsync();
        Tokens.Dispose();
        if (_ownsData)
            try { Directory.Delete(_dataDirectory, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
