using Microsoft.Extensions.DependencyInjection;
using TokenBroker.Jobs.Ledger;
using TokenBroker.Jobs.Mail;
using TokenBroker.Store;
using TokenBroker.Testing;
using TokenBroker.Tests.Jobs.Mail.Support;

namespace TokenBroker.Tests.Jobs.Mail;

/// <summary>
/// A send whose earlier attempt was interrupted after the message was handed to the server (attempt recorded, no sent
/// record) is resolved by searching the mailbox's Sent folder over IMAP: Dovecot's "Sent" gets Postfix's copy of every
/// message, as Exchange Online's Sent Items does.
/// </summary>
public sealed class InDoubtSendTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task An_interrupted_send_found_in_the_sent_folder_is_recorded_as_sent_and_not_sent_again()
    {
        var ledger = new InterruptibleLedger(NewSqliteLedger()) { LoseSentRecords = true };
        await using var harness = MailJobsHarness.Create(configure: services => services.AddSingleton<IMailLedger>(ledger));
        var (from, to) = (Maildir.UniqueAddress("sender"), Maildir.UniqueAddress("rcpt"));
        await harness.RegisterAsync(from, protocols: MailProtocols.Smtp | MailProtocols.Imap);
        var text = MailJobsHarness.SendRequest(from, to, id: "interrupted-1").ToJsonString();
        await Assert.ThrowsAsync<IOException>(() => harness.RunAsync(text, Ct));
        await Maildir.For(to).WaitForMessagesAsync(1, cancellationToken: Ct);

        ledger.LoseSentRecords = false;
        var redelivery = await harness.RunAsync(text, Ct);

        var sent = Assert.Single(MailJobsHarness.Outputs(redelivery, MailEvents.OutputBinding));
        Assert.Equal("mail.sent", sent.GetProperty("type").GetString());
        Assert.Contains("is in Sent, so it was not sent again", sent.GetProperty("inDoubt").GetString());
        Assert.NotNull(await ledger.FindSentAsync(from, "interrupted-1", Ct));
        await Task.Delay(TimeSpan.FromSeconds(1), Ct); // a (wrong) second copy would be delivered by now
        Assert.Single(Maildir.For(to).List());
    }

    [Fact]
    public async Task An_interrupted_send_missing_from_the_sent_folder_is_sent_again()
    {
        // The worker stopped before the server had the final dot: the attempt is recorded, the server discarded the message.
        var (harness, from, to) = await WithInterruptedAttemptAsync("interrupted-2", MailProtocols.Smtp | MailProtocols.Imap, DateTimeOffset.UtcNow.AddMinutes(-5));
        await using var _ = harness;

        var context = await harness.RunAsync(MailJobsHarness.SendRequest(from, to, id: "interrupted-2").ToJsonString(), Ct);

        var sent = Assert.Single(MailJobsHarness.Outputs(context, MailEvents.OutputBinding));
        Assert.Contains("is not in Sent, so the server had not accepted it and it was sent again", sent.GetProperty("inDoubt").GetString());
        Assert.Single(await Maildir.For(to).WaitForMessagesAsync(1, cancellationToken: Ct));
    }

    [Fact]
    public async Task An_in_doubt_send_of_a_mailbox_without_imap_consent_is_sent_again_and_says_it_could_not_be_checked()
    {
        var (harness, from, to) = await WithInterruptedAttemptAsync("unverifiable", MailProtocols.Smtp, DateTimeOffset.UtcNow);
        await using var _ = harness;

        var context = await harness.RunAsync(MailJobsHarness.SendRequest(from, to, id: "unverifiable").ToJsonString(), Ct);

        var sent = Assert.Single(MailJobsHarness.Outputs(context, MailEvents.OutputBinding));
        Assert.Contains("was not consented for IMAP", sent.GetProperty("inDoubt").GetString());
        Assert.Single(await Maildir.For(to).WaitForMessagesAsync(1, cancellationToken: Ct));
    }

    [Fact]
    public async Task With_when_unverifiable_fail_an_in_doubt_send_is_rejected_naming_the_message_id_to_look_for()
    {
        var (harness, from, to) = await WithInterruptedAttemptAsync("hold-it", MailProtocols.Smtp, DateTimeOffset.UtcNow,
            new Dictionary<string, string?> { ["Mail:InDoubt:WhenUnverifiable"] = "Fail" });
        await using var _ = harness;
        var messageId = MessageIds.For(from, "hold-it", "tokenbroker.test");

        var context = await harness.RunAsync(MailJobsHarness.SendRequest(from, to, id: "hold-it").ToJsonString(), Ct);

        var failed = Assert.Single(MailJobsHarness.Outputs(context, MailEvents.OutputBinding));
        Assert.Equal("mail.failed", failed.GetProperty("type").GetString());
        Assert.Contains($"Look for Message-ID {messageId}", failed.GetProperty("reason").GetString());
        Assert.Single(MailJobsHarness.Outputs(context, MailEvents.PoisonBinding));
        Assert.Equal(0, harness.Sessions.Opened);
    }

    /// <summary>A harness over a fresh ledger that holds an attempt of <paramref name="requestId"/> at <paramref name="attemptedAt"/> and no sent record.</summary>
    private static async Task<(MailJobsHarness Harness, string From, string To)> WithInterruptedAttemptAsync(
        string requestId, MailProtocols protocols, DateTimeOffset attemptedAt, Dictionary<string, string?>? settings = null)
    {
        var ledger = NewSqliteLedger();
        var harness = MailJobsHarness.Create(settings, configure: services => services.AddSingleton<IMailLedger>(ledger));
        var (from, to) = (Maildir.UniqueAddress("sender"), Maildir.UniqueAddress("rcpt"));
        await harness.RegisterAsync(from, protocols: protocols);
        await ledger.RecordAttemptAsync(from, requestId, new SendAttempt(MessageIds.For(from, requestId, "tokenbroker.test"), attemptedAt), Ct);
        return (harness, from, to);
    }

    private static SqliteMailLedger NewSqliteLedger() =>
        new(new SqliteMailLedgerOptions { DatabasePath = Path.Combine(Directory.CreateTempSubdirectory("tokenbroker-indoubt-").FullName, "ledger.db") });
}
