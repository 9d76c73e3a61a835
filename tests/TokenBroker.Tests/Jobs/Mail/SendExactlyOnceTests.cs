using TokenBroker.Jobs.Ledger;
using TokenBroker.Jobs.Mail;
using TokenBroker.Testing;
using TokenBroker.Tests.Jobs.Mail.Support;

namespace TokenBroker.Tests.Jobs.Mail;

/// <summary>A send request is delivered once, with the Message-ID derived from its idempotency key, however often it arrives.</summary>
public sealed class SendExactlyOnceTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_send_request_is_delivered_with_the_message_id_derived_from_its_key_and_a_mail_sent_event()
    {
        await using var harness = MailJobsHarness.Create();
        var from = Maildir.UniqueAddress("sender");
        var to = Maildir.UniqueAddress("rcpt");
        await harness.RegisterAsync(from);
        var request = MailJobsHarness.SendRequest(from, to, id: "invoice-7");

        var context = await harness.RunAsync(request.ToJsonString(), Ct);

        var sent = Assert.Single(MailJobsHarness.Outputs(context, MailEvents.OutputBinding));
        Assert.Equal("mail.sent", sent.GetProperty("type").GetString());
        var expectedId = MessageIds.For(from, "invoice-7", "tokenbroker.test");
        Assert.Equal(expectedId, sent.GetProperty("messageId").GetString());
        var delivered = Assert.Single(await Maildir.For(to).WaitForMessagesAsync(1, cancellationToken: Ct));
        Assert.Equal(expectedId, delivered.Header("Message-ID")?.Trim());
    }

    [Fact]
    public async Task The_same_request_twice_is_sent_once_and_the_second_becomes_a_mail_duplicate_event()
    {
        await using var harness = MailJobsHarness.Create();
        var from = Maildir.UniqueAddress("sender");
        var to = Maildir.UniqueAddress("rcpt");
        await harness.RegisterAsync(from);
        var text = MailJobsHarness.SendRequest(from, to, id: "once-only").ToJsonString();

        await harness.RunAsync(text, Ct);
        var second = await harness.RunAsync(text, Ct);

        var duplicate = Assert.Single(MailJobsHarness.Outputs(second, MailEvents.OutputBinding));
        Assert.Equal("mail.duplicate", duplicate.GetProperty("type").GetString());
        Assert.Equal(MessageIds.For(from, "once-only", "tokenbroker.test"), duplicate.GetProperty("messageId").GetString());
        await Maildir.For(to).WaitForMessagesAsync(1, cancellationToken: Ct);
        // Give a (wrong) second delivery the time to arrive before counting.
        await Task.Delay(TimeSpan.FromSeconds(1), Ct);
        Assert.Single(Maildir.For(to).List());
        Assert.Equal(1, harness.Sessions.Opened);
    }

    [Fact]
    public async Task Bcc_recipients_receive_the_message_without_a_bcc_header()
    {
        await using var harness = MailJobsHarness.Create();
        var from = Maildir.UniqueAddress("sender");
        var to = Maildir.UniqueAddress("rcpt");
        var hidden = Maildir.UniqueAddress("hidden");
        await harness.RegisterAsync(from);
        var request = MailJobsHarness.SendRequest(from, to);
        request["bcc"] = new System.Text.Json.Nodes.JsonArray(hidden);
        request["headers"] = new System.Text.Json.Nodes.JsonObject { ["X-Ticket"] = "42" };

        await harness.RunAsync(request.ToJsonString(), Ct);

        var copy = Assert.Single(await Maildir.For(hidden).WaitForMessagesAsync(1, cancellationToken: Ct));
        Assert.Null(copy.Header("Bcc"));
        Assert.Equal("42", copy.Header("X-Ticket"));
    }
}
