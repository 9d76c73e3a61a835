using System.Collections.Concurrent;
using System.Diagnostics;
using TokenBroker.Jobs.Mail.Governor;
using TokenBroker.Jobs.Mail.Governor.Shared;
using TokenBroker.Mail.Net;
using TokenBroker.Mail.Sasl;
using TokenBroker.Mail.Smtp;
using TokenBroker.StorageAccount;
using TokenBroker.Testing;

namespace TokenBroker.Benchmarks;

/// <summary>
/// The send governor over three instances (three <see cref="SendGovernor"/>s, each with its own state client, as three
/// processes would have) and 50 mailboxes, with the limits scaled down (10 messages per 2 s window + 0.25 s margin, 2 connections):
/// per-instance limits (Local) against shared ones (SQLite file, Azure blobs on Azurite). Each message takes its turn
/// (window + day) and, every tenth, opens and closes a connection slot, as a pooled session does. Reports messages/s,
/// the busiest window any mailbox saw (the limit is 10) and storage requests per message.
/// Arguments: [messages per mailbox, default 30] [local|sqlite|blob to run one kind].
/// </summary>
public sealed class GovernorBenchmark : IBenchmark
{
    private const int Instances = 3;
    private const int Mailboxes = 50;
    private const int WorkersPerInstance = 16;

    public string Name => "governor";

    public async Task RunAsync(string[] args, CancellationToken cancellationToken)
    {
        var perMailbox = args.Length > 0 && int.TryParse(args[0], out var n) ? n : 30;
        var only = args.Length > 1 ? args[1] : null;
        var options = new MailGovernorOptions
        {
            MessagesPerMinute = 10, Window = TimeSpan.FromSeconds(2), WindowMargin = TimeSpan.FromMilliseconds(250), MaxConnections = 2,
            SlotLease = TimeSpan.FromSeconds(15), MaxWait = TimeSpan.FromMinutes(10), SlotPollInterval = TimeSpan.FromMilliseconds(100),
        };
        Console.WriteLine($"{Instances} instances x {WorkersPerInstance} workers, {Mailboxes} mailboxes x {perMailbox} messages; limits per mailbox: " +
                          $"{options.MessagesPerMinute} per {options.Window.TotalSeconds} s ({Mailboxes * options.MessagesPerMinute / options.Window.TotalSeconds:0} msgs/s over all mailboxes), {options.MaxConnections} connections");
        if (only is null or "local")
            await RunKindAsync("per-instance (Local)", options, perMailbox, _ => new LocalGovernorState(TimeProvider.System), cancellationToken);
        if (only is null or "sqlite")
        {
            var directory = Path.Combine(Path.GetTempPath(), "tokenbroker-bench-governor-" + Guid.NewGuid().ToString("N"));
            try
            {
                await RunKindAsync("shared (SQLite)", options, perMailbox, _ => new SqliteGovernorState(Path.Combine(directory, "governor.db"), TimeSpan.FromSeconds(30)), cancellationToken);
            }
            finally
            {
                if (Directory.Exists(directory)) Directory.Delete(directory, recursive: true);
            }
        }
        if (only is null or "blob")
        {
            var connection = StorageConnection.FromConnectionString(PeersEnvironment.Get("AZURITE_CONNECTION_STRING"), "AZURITE_CONNECTION_STRING");
            var container = "bench-governor-" + Guid.NewGuid().ToString("N")[..12];
            await RunKindAsync("shared (Azure blobs, Azurite)", options, perMailbox, _ => new AzureBlobGovernorState(connection, new StorageRequestOptions(), container), cancellationToken);
        }
    }

    private static async Task RunKindAsync(string kind, MailGovernorOptions options, int perMailbox, Func<int, IGovernorState> createState, CancellationToken cancellationToken)
    {
        var states = Enumerable.Range(0, Instances).Select(createState).ToList();
        var governors = states.Select(state => new SendGovernor(options, new NoSessions(), TimeProvider.System, state: state)).ToList();
        var limits = GovernorLimits.From(options);
        var work = new ConcurrentQueue<string>(Enumerable.Range(0, perMailbox).SelectMany(_ => Enumerable.Range(0, Mailboxes).Select(m => $"user{m}@contoso.example")));
        var total = work.Count;
        var admitted = new ConcurrentDictionary<string, ConcurrentQueue<long>>();
        var clock = Stopwatch.StartNew();
        var workers = governors.SelectMany((governor, instance) => Enumerable.Range(0, WorkersPerInstance).Select(async worker =>
        {
            var state = states[instance];
            var sent = 0;
            while (work.TryDequeue(out var mailbox))
            {
                await governor.WaitForMessageSlotAsync(mailbox, 1, cancellationToken);
                admitted.GetOrAdd(mailbox, _ => new ConcurrentQueue<long>()).Enqueue(clock.ElapsedTicks);
                // A pooled session opens a connection now and then: one slot taken and given back per ten messages.
                if (++sent % 10 == 0)
                {
                    IConnectionSlot? slot;
                    while ((slot = await state.TryAcquireConnectionAsync(mailbox, limits, cancellationToken)) is null)
                        await Task.Delay(options.SlotPollInterval, cancellationToken);
                    await slot.DisposeAsync();
                }
            }
        })).ToList();
        await Task.WhenAll(workers);
        clock.Stop();
        var operations = states.Sum(s => s.StorageOperations);
        var busiest = admitted.Values.Max(times => Busiest(times.Order().ToList(), Stopwatch.Frequency * (long)options.Window.TotalSeconds));
        Console.WriteLine($"{kind,-32} {total / clock.Elapsed.TotalSeconds,8:0.0} msgs/s   busiest window {busiest,3} (limit {options.MessagesPerMinute})   " +
                          $"{(double)operations / total,5:0.00} storage requests/message ({operations} for {total} in {clock.Elapsed.TotalSeconds:0.0} s)");
        foreach (var governor in governors) await governor.DisposeAsync();
        foreach (var state in states) (state as IDisposable)?.Dispose();
    }

    private static int Busiest(List<long> times, long window)
    {
        var busiest = 0;
        for (int first = 0, last = 0; last < times.Count; last++)
        {
            while (times[last] - times[first] >= window) first++;
            busiest = Math.Max(busiest, last - first + 1);
        }
        return busiest;
    }

    /// <summary>The benchmark never opens a connection through the governor.</summary>
    private sealed class NoSessions : ISmtpSessionFactory
    {
        public Task<SubmissionClient> OpenAsync(MailEndpoint endpoint, OAuthSaslMechanism mechanism, CancellationToken cancellationToken = default) =>
            throw new InvalidOperationException("The governor benchmark opens no SMTP sessions.");
    }
}
