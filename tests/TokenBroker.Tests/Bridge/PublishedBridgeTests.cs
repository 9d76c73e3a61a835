using MailKit.Net.Imap;
using MailKit.Security;
using TokenBroker.Testing;
using TokenBroker.Tests.Bridge.Support;

namespace TokenBroker.Tests.Bridge;

/// <summary>
/// The bridge as the published executable runs it (its own process, socket completions on the event threads): real
/// clients send and read through it, and a session keeps its answers while others log in.
/// </summary>
public sealed class PublishedBridgeTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Python_clients_send_and_read_mail_through_the_published_bridge()
    {
        await using var bridge = await RunningBridge.StartAsync("bridge-published");
        var mailbox = Maildir.UniqueAddress("app");
        await bridge.ConsentAsync(mailbox);
        var secret = await bridge.AddAppAsync("erp", mailbox);
        await using var published = await PublishedBridge.StartAsync(bridge);
        var messageId = $"<published.{Guid.NewGuid():N}@erp.test>";

        var sent = await PythonMailClient.RunAsync("smtp-send", published.SmtpPort, "starttls", mailbox, secret, "login", mailbox, mailbox, "Published", messageId);
        Assert.True(sent.Ok(), sent.Error() + published.Errors);
        await Maildir.For(mailbox).WaitForMessagesAsync(1, cancellationToken: Ct);
        var read = await PythonMailClient.RunAsync("imap-fetch", published.ImapPort, "starttls", mailbox, secret, "login", "Published");

        Assert.True(read.Ok(), read.Error() + published.Errors);
        Assert.Equal(messageId, Assert.Single(read.GetProperty("messages").EnumerateArray()).GetProperty("message_id").GetString());
    }

    [Fact]
    public async Task A_session_on_the_published_bridge_keeps_getting_answers_while_others_log_in()
    {
        await using var bridge = await RunningBridge.StartAsync("bridge-published-no-stall", adjust: s => s["Bridge:FailedLoginDelay"] = "00:00:03");
        var mailbox = Maildir.UniqueAddress("busy");
        await bridge.ConsentAsync(mailbox);
        var secret = await bridge.AddAppAsync("steady", mailbox);
        await using var published = await PublishedBridge.StartAsync(bridge);
        async Task<ImapClient> ConnectAsync()
        {
            var client = new ImapClient { Timeout = 60_000, ServerCertificateValidationCallback = TestCertificates.ValidationCallback };
            await client.ConnectAsync("localhost", published.ImapPort, SecureSocketOptions.StartTls, Ct);
            return client;
        }
        using var steady = await ConnectAsync();
        await steady.AuthenticateAsync(mailbox, secret, Ct);

        var answeredDuringStorm = await LoginStorm.CountAnswersDuringAsync(steady, ConnectAsync, mailbox, secret, Ct);

        // Thirty of the logins wait three seconds on a wrong secret: a session served in turn would get no answer meanwhile.
        Assert.True(answeredDuringStorm >= 10, $"only {answeredDuringStorm} NOOPs were answered while the others logged in");
        await steady.DisconnectAsync(true, Ct);
    }
}
