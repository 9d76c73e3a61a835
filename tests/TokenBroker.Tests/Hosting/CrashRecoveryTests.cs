using TokenBroker.Queues;
using TokenBroker.Tests.Hosting.Support;

namespace TokenBroker.Tests.Hosting;

/// <summary>kill -9 in the middle of a batch, then a restart: at-least-once means nothing is lost.</summary>
public class CrashRecoveryTests
{
    [Fact]
    public async Task Killing_the_broker_mid_batch_and_restarting_it_loses_no_message()
    {
        var data = Directory.CreateTempSubdirectory("crash-").FullName;
        var log = Path.Combine(data, "processed.log");
        var texts = Enumerable.Range(0, 300).Select(i => $"message-{i:D3}").ToList();
        using (var transport = new SqliteQueueTransport(new SqliteQueueOptions { DatabasePath = Path.Combine(data, "queues.db") }))
        {
            await transport.CreateIfNotExistsAsync("crash-items", TestContext.Current.CancellationToken);
            foreach (var text in texts)
                await transport.SendAsync("crash-items", text, cancellationToken: TestContext.Current.CancellationToken);
        }
        string[] arguments =
        [
            $"--Broker:DataDirectory={data}", "--Broker:Urls=http://127.0.0.1:0", $"--TestHost:ProcessedLog={log}", "--TestHost:DelayMs=25",
            "--Queues:MessageLease=00:00:02", "--Queues:MaxPollingInterval=00:00:00.250", "--Logging:LogLevel:Default=Warning",
        ];

        using (var first = TestHostProcess.Start(arguments))
        {
            await first.WaitUntilAsync(() => ProcessedLines(log).Length >= 60, TimeSpan.FromSeconds(90), TestContext.Current.CancellationToken);
            first.Kill(); // SIGKILL: no shutdown code runs
            await first.WaitForExitAsync(TestContext.Current.CancellationToken);
        }
        var handledBeforeKill = ProcessedLines(log).Length;
        using (var second = TestHostProcess.Start(arguments))
        {
            await second.WaitUntilAsync(() => ProcessedLines(log).Distinct().Count() == texts.Count, TimeSpan.FromSeconds(90), TestContext.Current.CancellationToken);
            second.Kill();
        }

        Assert.InRange(handledBeforeKill, 60, texts.Count - 1);
        Assert.Equal(texts, ProcessedLines(log).Distinct().Order());
    }

    private static string[] ProcessedLines(string log) =>
        File.Exists(log) ? File.ReadAllLines(log).Where(l => l.Length > 0).ToArray() : [];
}
