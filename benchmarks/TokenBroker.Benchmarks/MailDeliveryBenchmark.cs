using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using TokenBroker.Hosting;
using TokenBroker.Hosting.Functions;
using TokenBroker.OAuth;
using TokenBroker.Queues;
using TokenBroker.Store;
using TokenBroker.Testing;

namespace TokenBroker.Benchmarks;

/// <summary>
/// End-to-end delivery rate: send requests already on the SQLite queue → the real broker (standalone, product table,
/// mail worker, governor, ledger) → Dovecot submission → Postfix → LMTP → Maildir, for 50 sending mailboxes. The
/// governor keeps Exchange's 3 connections per mailbox; its per-minute limit is scaled up (default 6000) so that the
/// pipeline, not the 30/min rule, is measured. Tokens are minted by the identity server's control endpoint (the OAuth
/// code path has its own benchmark). Arguments: messages per mailbox (default 20), mailboxes (50), messages per minute.
/// Needs the peers (identity, dovecot, postfix) of PEERS_DIR.
/// </summary>
public sealed class MailDeliveryBenchmark : IBenchmark
{
    public string Name => "mail-delivery";

    public async Task RunAsync(string[] args, CancellationToken cancellationToken)
    {
        var perMailbox = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 20;
        var mailboxCount = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 50;
        var perMinute = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 6000;
        var total = perMailbox * mailboxCount;
        var data = Directory.CreateTempSubdirectory("tokenbroker-bench-delivery-").FullName;
        var recipient = Maildir.UniqueAddress("bench-rcpt");
        var senders = Enumerable.Range(0, mailboxCount).Select(i => Maildir.UniqueAddress($"bench-sender{i}")).ToList();
        using var tokens = new MintedTokens();
        string[] settings =
        [
            $"--Broker:DataDirectory={data}", $"--TokenStore:DataDirectory={data}", "--TokenStore:Kind=Embedded",
            "--Broker:Urls=http://127.0.0.1:0", "--Logging:LogLevel:Default=Warning",
            $"--Mail:Smtp=smtp://{PeersEnvironment.Get("MAIL_HOST")}:{PeersEnvironment.Get("SUBMISSION_PORT")}",
            $"--Mail:ExtraTrustedCaFile={PeersEnvironment.Get("PEERS_CA_FILE")}",
            $"--Mail:Governor:MessagesPerMinute={perMinute}",
            "--Queues:BatchSize=32", "--Queues:MaxPollingInterval=00:00:00.100",
        ];

        // Register the mailboxes and queue the whole batch before the listener starts, so the clock measures delivery only.
        await using (var setup = Build(settings, tokens, new FunctionCatalog([])))
        {
            var registry = setup.Services.GetRequiredService<IMailboxRegistry>();
            var transport = setup.Services.GetRequiredService<IQueueTransport>();
            await transport.CreateIfNotExistsAsync("mail-requests", cancellationToken);
            var now = DateTimeOffset.UtcNow;
            foreach (var sender in senders)
            {
                await registry.SaveAsync(new Mailbox(sender, PeersEnvironment.Get("IDENTITY_TENANT"), MailboxMode.Delegated, MailProtocols.Smtp, null,
                    MailboxState.Connected, null, now, now, now, now.AddHours(1), null, null, ["SMTP.Send"], null), null, cancellationToken);
                await tokens.GetAccessTokenAsync(sender, cancellationToken);
            }
            for (var i = 0; i < perMailbox; i++)
            {
                foreach (var sender in senders)
                {
                    var request = $$"""{"version":1,"kind":"send","id":"bench-{{i}}","from":"{{sender}}","to":["{{recipient}}"],"subject":"Benchmark {{i}}","text":"Delivery benchmark message {{i}}."}""";
                    await transport.SendAsync("mail-requests", request, cancellationToken: cancellationToken);
                }
            }
        }

        var maildir = Maildir.For(recipient);
        var process = Process.GetCurrentProcess();
        var watch = Stopwatch.StartNew();
        await using (var broker = Build(settings, tokens, BrokerFunctions.Catalog))
        {
            await broker.StartAsync(cancellationToken);
            await maildir.WaitForMessagesAsync(total, TimeSpan.FromMinutes(10), cancellationToken);
            watch.Stop();
            await broker.StopAsync(cancellationToken);
        }
        process.Refresh();
        var distinct = maildir.List().Select(m => m.Header("Message-ID")?.Trim()).Distinct().Count();
        Console.WriteLine($"mail-delivery  {mailboxCount} mailboxes x {perMailbox} = {total} messages  {watch.Elapsed.TotalSeconds:F1} s  " +
                          $"{total / watch.Elapsed.TotalSeconds:F1} msgs/s  distinct Message-IDs {distinct}  peak working set {process.PeakWorkingSet64 / (1024 * 1024)} MB");
        Directory.Delete(data, recursive: true);
    }

    private static Microsoft.AspNetCore.Builder.WebApplication Build(string[] settings, MintedTokens tokens, FunctionCatalog table) =>
        BrokerApplication.Build(new BrokerStartup(settings, HostingMode.Standalone, table)
        {
            Configure = builder => builder.Services.AddSingleton<IMailboxTokenProvider>(tokens),
        });

    /// <summary>One token per mailbox from the identity server, signed with the key Dovecot trusts.</summary>
    private sealed class MintedTokens : IMailboxTokenProvider, IDisposable
    {
        private readonly IdentityServerControl _identity = new();
        private readonly ConcurrentDictionary<string, MailboxAccessToken> _cache = new(StringComparer.OrdinalIgnoreCase);

        // Minted tokens are always fresh: a forced refresh is just another mint.
        public Task<MailboxAccessToken> RefreshAsync(string mailboxAddress, bool force, CancellationToken cancellationToken = default) =>
            GetAccessTokenAsync(mailboxAddress, cancellationToken);

        public async Task<MailboxAccessToken> GetAccessTokenAsync(string mailboxAddress, CancellationToken cancellationToken = default)
        {
            if (_cache.TryGetValue(mailboxAddress, out var token)) return token;
            var minted = await _identity.MintAccessTokenAsync(mailboxAddress, ["SMTP.Send"], TimeSpan.FromHours(1), cancellationToken: cancellationToken);
            return _cache[mailboxAddress] = new MailboxAccessToken(minted, DateTimeOffset.UtcNow.AddHours(1), mailboxAddress);
        }

        public void Dispose() => _identity.Dispose();
    }
}
