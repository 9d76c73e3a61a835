using TokenBroker.Jobs;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using TokenBroker.Hosting.Functions;
using TokenBroker.Jobs.Fetch;
using TokenBroker.Jobs.Mail;
using TokenBroker.Jobs.Mail.Governor;
using TokenBroker.Mail.Net;
using TokenBroker.Mail.Smtp;
using TokenBroker.OAuth;
using TokenBroker.Store;
using TokenBroker.Testing;
using TokenBroker.Tests.Jobs.Fetch.Support;

namespace TokenBroker.Tests.Jobs.Mail.Support;

/// <summary>
/// The mail worker with its real services (embedded registry, SQLite ledger, governor, SMTP to Dovecot submission →
/// Postfix → Maildir) and tokens minted by the identity server. Each harness has its own data folder.
/// </summary>
internal sealed class MailJobsHarness : IAsyncDisposable
{
    private readonly string _dataDirectory;

    private MailJobsHarness(ServiceProvider services, string dataDirectory, MintingTokenProvider tokens, RecordingSessionFactory sessions)
    {
        Services = services;
        _dataDirectory = dataDirectory;
        Tokens = tokens;
        Sessions = sessions;
    }

    public ServiceProvider Services { get; }
    public MintingTokenProvider Tokens { get; }
    public RecordingSessionFactory Sessions { get; }
    public SendGovernor Governor => Services.GetRequiredService<SendGovernor>();

    public static string SubmissionUrl => $"smtp://{PeersEnvironment.Get("MAIL_HOST")}:{PeersEnvironment.Get("SUBMISSION_PORT")}";

    /// <param name="configure">Runs before the mail services are added: a registration made there (say, an IMailLedger) wins.</param>
    public static MailJobsHarness Create(IDictionary<string, string?>? settings = null, TimeProvider? timeProvider = null, Action<IServiceCollection>? configure = null)
    {
        var dataDirectory = Directory.CreateTempSubdirectory("tokenbroker-mailjobs-").FullName;
        var values = new Dictionary<string, string?>
        {
            ["Broker:DataDirectory"] = dataDirectory,
            ["TokenStore:DataDirectory"] = dataDirectory,
            ["Ledger:Kind"] = "Sqlite",
            ["Mail:Smtp"] = SubmissionUrl,
            ["Mail:ExtraTrustedCaFile"] = PeersEnvironment.Get("PEERS_CA_FILE"),
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
            values[key] = value;
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
        var tokens = new MintingTokenProvider();
        var services = new ServiceCollection();
        services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Warning));
        if (timeProvider is not null)
            services.AddSingleton(timeProvider);
        services.AddEmbeddedTokenStore(configuration);
        services.AddSingleton<IMailboxTokenProvider>(tokens);
        var clientOptions = FetchHarness.ClientOptions();
        var recording = new RecordingSessionFactory(new SmtpSessionFactory(new SmtpSubmission(clientOptions)));
        services.AddSingleton<ISmtpSessionFactory>(recording);
        configure?.Invoke(services);
        // The IMAP server the in-doubt check searches; the broker has it from the fetch job's settings.
        services.AddSingleton(new MailServers(FetchHarness.Imaps, FetchHarness.Pop3s, clientOptions, TokenBroker.Mail.Fetch.MailSaslMechanism.XOAuth2));
        services.AddMailJobs(configuration);
        return new MailJobsHarness(services.BuildServiceProvider(), dataDirectory, tokens, recording);
    }

    public async Task<Mailbox> RegisterAsync(string address, MailboxState state = MailboxState.Connected, string? reason = null, MailProtocols protocols = MailProtocols.Smtp)
    {
        var now = DateTimeOffset.UtcNow;
        var mailbox = new Mailbox(address, PeersEnvironment.Get("IDENTITY_TENANT"), MailboxMode.Delegated, protocols, null, state, reason,
            now, now, now, now.AddHours(1), null, "oid." + PeersEnvironment.Get("IDENTITY_TENANT"), ["SMTP.Send"], null);
        await Services.GetRequiredService<IMailboxRegistry>().SaveAsync(mailbox, null);
        return mailbox;
    }

    public MailRequestWorker CreateWorker() => ActivatorUtilities.CreateInstance<MailRequestWorker>(Services);

    /// <summary>Runs one queue message through a fresh worker, as one invocation.</summary>
    public Task<InvocationOutputs> RunAsync(string text, CancellationToken cancellationToken = default) =>
        MailWorkerInvocation.RunAsync(Services, text, cancellationToken);

    public static JsonObject SendRequest(string from, string to, string? id = null, string? subject = null) => new()
    {
        ["version"] = 1,
        ["kind"] = "send",
        ["id"] = id ?? Guid.NewGuid().ToString("N"),
        ["from"] = from,
        ["to"] = new JsonArray(to),
        ["subject"] = subject ?? "Test " + Guid.NewGuid().ToString("N")[..8],
        ["text"] = "Hello from the mail worker.",
    };

    public static IReadOnlyList<JsonElement> Outputs(InvocationOutputs context, string binding) =>
        context.Outputs.TryGetValue(binding, out var messages)
            ? messages.Select(m => JsonDocument.Parse(m).RootElement.Clone()).ToList()
            : [];

    public async ValueTask DisposeAsync()
    {
        await Services.DisposeAsync();
        Tokens.Dispose();
        try { Directory.Delete(_dataDirectory, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
