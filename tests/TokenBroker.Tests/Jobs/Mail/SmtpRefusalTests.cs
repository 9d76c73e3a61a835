using TokenBroker.Jobs;
using TokenBroker.Jobs.Mail;
using TokenBroker.Mail.Smtp;
using TokenBroker.Testing;
using TokenBroker.Tests.Jobs.Mail.Support;

namespace TokenBroker.Tests.Jobs.Mail;

/// <summary>
/// Refusals from a real server (Dovecot submission relaying to Postfix, which refuses "reject-5xx-*" with 550 5.1.1 and
/// "defer-4xx-*" with 450 4.2.0 at RCPT TO): 5xx is permanent with the server's reply, 4xx is left to the queue's retry.
/// </summary>
public sealed class SmtpRefusalTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task<(MailJobsHarness Harness, string From)> StartAsync()
    {
        var harness = MailJobsHarness.Create();
        var from = Maildir.UniqueAddress("sender");
        await harness.RegisterAsync(from);
        return (harness, from);
    }

    [Fact]
    public async Task A_recipient_refused_with_5xx_fails_permanently_with_the_servers_reply_and_the_request_is_poisoned()
    {
        var (harness, from) = await StartAsync();
        await using var _ = harness;
        var refused = Maildir.UniqueAddress("reject-5xx");
        var text = MailJobsHarness.SendRequest(from, refused).ToJsonString();

        var context = await harness.RunAsync(text, Ct);

        var failure = Assert.Single(MailJobsHarness.Outputs(context, MailEvents.OutputBinding));
        Assert.Equal("mail.failed", failure.GetProperty("type").GetString());
        var reason = failure.GetProperty("reason").GetString()!;
        Assert.StartsWith($"The SMTP server refused the message from {from}: The server refused every recipient (RCPT TO): 550 5.1.1", reason);
        Assert.Contains($"<{refused}>: Recipient address rejected: This test mailbox refuses all mail", reason);
        Assert.Equal(text, Assert.Single(context.Outputs[MailEvents.PoisonBinding]));
    }

    [Fact]
    public async Task A_recipient_deferred_with_4xx_throws_the_transient_refusal_so_the_queue_retries_and_nothing_is_poisoned()
    {
        var (harness, from) = await StartAsync();
        await using var _ = harness;

        var context = new TokenBroker.Jobs.InvocationOutputs();
        var deferred = await Assert.ThrowsAsync<SmtpCommandException>(() => harness.CreateWorker().RunAsync(
            MailJobsHarness.SendRequest(from, Maildir.UniqueAddress("defer-4xx")).ToJsonString(),
            context, Ct));

        Assert.True(deferred.IsTransient);
        Assert.Equal(450, deferred.Code);
        Assert.Contains("This test mailbox is busy, try again later", deferred.Message);
        Assert.Empty(context.Outputs);
    }

    [Fact]
    public async Task A_5xx_for_one_of_several_recipients_sends_to_the_others_and_names_the_refused_one_in_mail_sent()
    {
        var (harness, from) = await StartAsync();
        await using var _ = harness;
        var accepted = Maildir.UniqueAddress("rcpt");
        var refused = Maildir.UniqueAddress("reject-5xx");
        var request = MailJobsHarness.SendRequest(from, accepted);
        request["to"]!.AsArray().Add(refused);

        var context = await harness.RunAsync(request.ToJsonString(), Ct);

        var sent = Assert.Single(MailJobsHarness.Outputs(context, MailEvents.OutputBinding));
        Assert.Equal("mail.sent", sent.GetProperty("type").GetString());
        Assert.Equal(1, sent.GetProperty("recipients").GetInt32());
        Assert.Equal([refused], sent.GetProperty("refusedRecipients").EnumerateArray().Select(r => r.GetString()));
        Assert.Single(await Maildir.For(accepted).WaitForMessagesAsync(1, cancellationToken: Ct));
    }

    [Fact]
    public async Task After_a_5xx_and_a_4xx_refusal_the_same_worker_delivers_the_next_request()
    {
        var (harness, from) = await StartAsync();
        await using var _ = harness;
        var recipient = Maildir.UniqueAddress("rcpt");

        await harness.RunAsync(MailJobsHarness.SendRequest(from, Maildir.UniqueAddress("reject-5xx")).ToJsonString(), Ct);
        await Assert.ThrowsAsync<SmtpCommandException>(() => harness.RunAsync(MailJobsHarness.SendRequest(from, Maildir.UniqueAddress("defer-4xx")).ToJsonString(), Ct));
        var context = await harness.RunAsync(MailJobsHarness.SendRequest(from, recipient).ToJsonString(), Ct);

        Assert.Equal("mail.sent", Assert.Single(MailJobsHarness.Outputs(context, MailEvents.OutputBinding)).GetProperty("type").GetString());
        Assert.Single(await Maildir.For(recipient).WaitForMessagesAsync(1, cancellationToken: Ct));
        Assert.Equal(1, harness.Sessions.Opened); // the refusals left the pooled connection usable
    }
}
