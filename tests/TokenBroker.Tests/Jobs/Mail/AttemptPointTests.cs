using Microsoft.Extensions.DependencyInjection;
using TokenBroker.Jobs.Ledger;
using TokenBroker.Jobs.Mail;
using TokenBroker.Mail.Smtp;
using TokenBroker.Store;
using TokenBroker.Testing;
using TokenBroker.Tests.Jobs.Mail.Support;

namespace TokenBroker.Tests.Jobs.Mail;

/// <summary>
/// The attempt is recorded before the SMTP transaction starts (docs/mail-requests.md § Exactly once): a stop between the
/// record and the server's reply is resolved by the Sent-folder search, a refusal clears the attempt, and a message sent
/// again after an interrupted attempt is the same message (Message-ID and Date).
/// </summary>
public sealed class AttemptPointTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task An_attempt_recorded_before_anything_reached_the_server_is_sent_after_the_settle_time_as_the_same_message()
    {
        var ledger = new InterruptibleLedger(NewSqliteLedger()) { StopAfterAttempt = true };
        await using var harness = MailJobsHarness.Create(
            new Dictionary<string, string?> { ["Mail:InDoubt:SettleTime"] = "00:00:02" },
            configure: services => services.AddSingleton<IMailLedger>(ledger));
        var (from, to) = (Maildir.UniqueAddress("sender"), Maildir.UniqueAddress("rcpt"));
        await harness.RegisterAsync(from, protocols: MailProtocols.Smtp | MailProtocols.Imap);
        var text = MailJobsHarness.SendRequest(from, to, id: "stopped-early").ToJsonString();
        await Assert.ThrowsAsync<IOException>(() => harness.RunAsync(text, Ct));
        var interrupted = await ledger.FindAttemptAsync(from, "stopped-early", Ct);
        Assert.NotNull(interrupted?.MessageDate);
        Assert.Empty(Maildir.For(to).List());

        ledger.StopAfterAttempt = false;
        var started = DateTimeOffset.UtcNow;
        var redelivery = await harness.RunAsync(text, Ct);

        var sent = Assert.Single(MailJobsHarness.Outputs(redelivery, MailEvents.OutputBinding));
        Assert.Contains("is not in Sent, so the server had not accepted it and it was sent again", sent.GetProperty("inDoubt").GetString());
        Assert.True(DateTimeOffset.UtcNow >= interrupted!.CommittingAt.AddSeconds(2), "the settle time was waited out");
        Assert.True(DateTimeOffset.UtcNow - started < TimeSpan.FromSeconds(30));
        var delivered = Assert.Single(await Maildir.For(to).WaitForMessagesAsync(1, cancellationToken: Ct));
        Assert.Equal(DateTimeOffset.Parse(delivered.Header("Date")!.Trim()).ToUnixTimeSeconds(), interrupted.MessageDate!.Value.ToUnixTimeSeconds());
        Assert.Equal(MessageIds.For(from, "stopped-early", "tokenbroker.test"), delivered.Header("Message-ID")?.Trim());
    }

    [Fact]
    public async Task A_refused_attempt_is_cleared_so_the_retry_of_a_4xx_is_not_in_doubt()
    {
        await using var harness = MailJobsHarness.Create(new Dictionary<string, string?> { ["Mail:InDoubt:WhenUnverifiable"] = "Fail" });
        var from = Maildir.UniqueAddress("sender");
        await harness.RegisterAsync(from);
        var ledger = harness.Services.GetRequiredService<IMailLedger>();
        var text = MailJobsHarness.SendRequest(from, Maildir.UniqueAddress("defer-4xx"), id: "deferred-1").ToJsonString();

        await Assert.ThrowsAsync<SmtpCommandException>(() => harness.RunAsync(text, Ct));
        Assert.Null(await ledger.FindAttemptAsync(from, "deferred-1", Ct));

        // Without IMAP consent and with WhenUnverifiable = Fail, an attempt left behind would poison the retry.
        await Assert.ThrowsAsync<SmtpCommandException>(() => harness.RunAsync(text, Ct));
    }

    private static SqliteMailLedger NewSqliteLedger() =>
        new(new SqliteMailLedgerOptions { DatabasePath = Path.Combine(Directory.CreateTempSubdirectory("tokenbroker-attempt-").FullName, "ledger.db") });
}
