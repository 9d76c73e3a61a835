using System.Text;
using TokenBroker.Testing;
using TokenBroker.Jobs.Mail;
using TokenBroker.Tests.Jobs.Fetch.Support;
using TokenBroker.Tests.Jobs.Mail.Support;

namespace TokenBroker.Tests.Jobs.Fetch;

/// <summary>
/// A message over Mail:FetchMaxMessageBytes on the real Dovecot makes the fetch request a permanent rejection
/// (mail.failed + poison, with a sentence naming the limit) instead of a retry that would meet the same message again;
/// the messages before it are delivered and checkpointed.
/// </summary>
public sealed class OversizedMessageTests
{
    private const long Cap = 4096;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("imap")]
    [InlineData("pop3")]
    public async Task A_message_over_the_fetch_size_cap_rejects_the_request_permanently_naming_the_limit(string protocol)
    {
        await using var harness = await FetchHarness.CreateAsync(settings: new Dictionary<string, string?> { ["Mail:FetchMaxMessageBytes"] = Cap.ToString() });
        using var receiver = new WebhookReceiver(harness.WebhookPort);
        await harness.AppendAsync("INBOX", 1, "Small");
        await AppendAsync(harness, LargeMessage(3 * Cap));
        var request = harness.WebhookRequest(protocol);

        var context = await harness.RunAsync(request, Ct);

        var failed = Assert.Single(MailJobsHarness.Outputs(context, MailEvents.OutputBinding));
        Assert.Equal("mail.failed", failed.GetProperty("type").GetString());
        var reason = failed.GetProperty("reason").GetString();
        Assert.Matches($@"^{protocol.ToUpperInvariant()} message (UID )?\S+ (in ""INBOX"" )?is \d+ bytes, over the limit of {Cap} bytes \(MaxMessageBytes\); it was not fetched", reason);
        Assert.EndsWith("(Mail:FetchMaxMessageBytes)", reason);
        Assert.Equal(request.ToJsonString(), Assert.Single(context.Outputs[MailEvents.PoisonBinding]));
        Assert.Single(receiver.Accepted);
    }

    private static async Task AppendAsync(FetchHarness harness, byte[] message)
    {
        using var client = await harness.OpenImapAsync();
        await TestImap.AppendAsync(client, "INBOX", [message]);
        await client.DisconnectAsync(quit: true);
    }

    private static byte[] LargeMessage(long bytes)
    {
        var text = new StringBuilder("From: Sender <sender@tokenbroker.test>\r\nTo: someone@tokenbroker.test\r\nSubject: Large\r\n" +
            $"Message-ID: <{Guid.NewGuid():N}@tokenbroker.test>\r\nDate: Sat, 21 Nov 2026 10:00:00 +0000\r\n\r\n");
        while (text.Length < bytes) text.Append(new string('z', 76)).Append("\r\n");
        return Encoding.ASCII.GetBytes(text.ToString());
    }
}
