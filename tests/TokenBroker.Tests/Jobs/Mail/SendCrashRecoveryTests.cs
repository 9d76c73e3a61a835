using Microsoft.Extensions.DependencyInjection;
using TokenBroker.Hosting.Functions;
using TokenBroker.Hosting;
using TokenBroker.Jobs.Ledger;
using TokenBroker.Queues;
using TokenBroker.Testing;
using TokenBroker.Tests.Hosting.Support;
using TokenBroker.Tests.Jobs.Mail.Support;

namespace TokenBroker.Tests.Jobs.Mail;

/// <summary>
/// kill -9 of the broker process in the middle of a send batch, then a restart: nothing lost, nothing
/// repeated. The transactions the server was completing at the instant of the kill (final "." sent, 250 not yet
/// recorded) are in doubt after the restart; the worker finds them in the mailbox's Sent folder over IMAP and does not
/// send them again.
/// </summary>
[Collection(TokenBroker.Tests.Jobs.Support.AzuriteMailRequests.Name)]
public sealed class SendCrashRecoveryTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    // Fewer messages on Azurite, whose requests are far slower than SQLite's (each send costs several).
    [Theory]
    [InlineData("sqlite", 500)]
    [InlineData("azure", 150)]
    public async Task Killing_the_broker_mid_batch_loses_nothing_and_repeats_nothing(string queues, int count)
    {
        var (settings, data) = MailBrokerPeers.NewBroker("crash-mail");
        MailBrokerPeers.UseQueues(settings, queues);
        var mailbox = Maildir.UniqueAddress("sender");
        var recipient = Maildir.UniqueAddress("rcpt");
        var ids = Enumerable.Range(0, count).Select(i => $"crash-{i:D3}").ToList();

        // Consent and queue the batch with an in-process broker, then hand its data folder to the child process.
        await using (var setup = await MailBrokerPeers.StartAsync(settings, data, new FunctionCatalog(MailBrokerPeers.TableWithConsent().Http)))
        {
            await MailBrokerPeers.ConsentAsync(setup.Client.BaseAddress!, mailbox, Ct, protocols: "smtp,imap");
            var transport = setup.Services.GetRequiredService<IQueueTransport>();
            await transport.CreateIfNotExistsAsync("mail-requests", Ct);
            foreach (var id in ids)
                await transport.SendAsync("mail-requests", MailJobsHarness.SendRequest(mailbox, recipient, id).ToJsonString(), cancellationToken: Ct);
        }

        var arguments = settings.Select(s => $"--{s.Key}={s.Value}").Concat(
        [
            "--TestHost:Table=product",
            $"--TestHost:IdentityCaFile={PeersEnvironment.Get("PEERS_CA_FILE")}",
            "--Queues:MessageLease=00:00:05",
            "--Mail:InDoubt:SettleTime=00:00:05",
            "--Logging:LogLevel:Default=Warning",
        ]).ToArray();
        var maildir = Maildir.For(recipient);
        using (var first = TestHostProcess.Start(arguments))
        {
            await first.WaitUntilAsync(() => maildir.List().Count >= count * 3 / 10, TimeSpan.FromMinutes(2), Ct);
            first.Kill(); // SIGKILL: no shutdown code runs
            await first.WaitForExitAsync(Ct);
        }
        var deliveredBeforeKill = maildir.List().Count;
        var inDoubt = new System.Collections.Concurrent.ConcurrentQueue<string>();
        using (var second = TestHostProcess.Start(arguments, line => { if (line.Contains("was in doubt", StringComparison.Ordinal)) inDoubt.Enqueue(line); }))
        {
            await second.WaitUntilAsync(() => maildir.List().Count >= ids.Count, TimeSpan.FromMinutes(3), Ct);
            await Task.Delay(TimeSpan.FromSeconds(8), Ct); // past the lease: a message redelivered after the kill would have arrived
            second.Kill();
            await second.WaitForExitAsync(Ct);
        }

        Assert.InRange(deliveredBeforeKill, count * 3 / 10, ids.Count - 1);
        var expected = ids.Select(id => MessageIds.For(mailbox, id, "tokenbroker.test")).Order().ToList();
        var delivered = MailBrokerPeers.MessageIds(maildir);
        var duplicated = delivered.GroupBy(id => id).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        var lost = expected.Except(delivered).ToList();
        var report = $"{deliveredBeforeKill} delivered before the kill; {inDoubt.Count} in doubt after the restart; duplicated: [{string.Join(", ", duplicated)}]; lost: [{string.Join(", ", lost)}]";
        Assert.True(lost.Count == 0, report);
        Assert.True(duplicated.Count == 0, report);
        Assert.Equal(expected, delivered.Order().ToList());
        TestContext.Current.SendDiagnosticMessage(report);
    }
}
