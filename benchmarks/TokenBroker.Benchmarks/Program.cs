using System.Reflection;
using TokenBroker.Benchmarks;

// Every IBenchmark in this assembly is runnable by name; with no name, all run in turn.
//   dotnet run --project benchmarks/TokenBroker.Benchmarks -c Release -- NAME [arguments]
// Start-up and size (need a publish folder: artifacts/publish, TOKENBROKER_PUBLISH_DIR or given as arguments):
//   startup           standalone face, `tokenbroker serve`: process start -> first GET / and GET /api/health answers, CPU time
//                     [--runs N] [--warmup N] [--trace] [publish-dir ...]  (several folders: interleaved A/B)
//   worker-startup    worker face, as the Functions host starts it: process start -> StartStream, WorkerInitResponse,
//                     FunctionMetadataResponse, loads, first HTTP invocation (Health); same arguments as startup
//   package-size      publish folder, and the folder and zip `tokenbroker package` writes: bytes and files  [publish-dir ...]
// Throughput against the peers (infra/local/peers/peers.sh start ...):
//   queue-throughput  SQLite and Azurite (Azure.Storage.Queues) send and receive+delete  [sqlite-n] [azurite-n] [batch sizes]
//   smtp-send         [messages] [per-connection messages]: MailKit BDAT/DATA, per connection, raw, Python smtplib; CPU/message
//   imap-fetch        [messages] [rounds]: raw, MailKit, ImapMailFetcher, Python imaplib (benchmarks/README.md: how, figures)
//   bridge            the mail bridge vs direct XOAUTH2: SMTP msg/s (reused, per connection), IMAP fetch MB/s, login ms, 100 logins at once
//   mail-delivery, ledger, store-embedded, oauth-tokens, refresh-listing, refresh-sweep
if (args is [VaultDoubleProcess.ServeArgument]) return await VaultDoubleProcess.ServeAsync();
if (args is [BridgeBenchmark.ServeArgument, .. var bridgeArgs]) return await BridgeBenchmark.ServeAsync(bridgeArgs);
var benchmarks = Assembly.GetExecutingAssembly().GetTypes()
    .Where(t => typeof(IBenchmark).IsAssignableFrom(t) && t is { IsAbstract: false, IsInterface: false })
    .Select(t => (IBenchmark)Activator.CreateInstance(t)!)
    .OrderBy(b => b.Name, StringComparer.Ordinal)
    .ToList();
var selected = args.Length == 0 ? benchmarks : benchmarks.Where(b => b.Name == args[0]).ToList();
if (selected.Count == 0)
{
    Console.Error.WriteLine($"Unknown benchmark '{args[0]}'. Known: {string.Join(", ", benchmarks.Select(b => b.Name))}");
    return 2;
}
using var cancel = new CancellationTokenSource(TimeSpan.FromMinutes(30));
foreach (var benchmark in selected)
{
    Console.WriteLine($"== {benchmark.Name}");
    await benchmark.RunAsync(args.Skip(1).ToArray(), cancel.Token);
}
return 0;
