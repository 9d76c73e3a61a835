using TokenBroker.Jobs.Status;

namespace TokenBroker.Tests.Jobs.Status;

/// <summary>The sending column and the back-off line of `tokenbroker status`.</summary>
public sealed class StatusTableTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 2, 12, 0, 0, TimeSpan.Zero);

    private static MailboxStatus Mailbox(SendingStatus? sending) =>
        new("a@contoso.com", "Delegated", "Connected", null, Now.AddHours(1), Now.AddMinutes(-5), null, ["SMTP.Send"], ["SMTP.Send"], [], null) { Sending = sending };

    [Fact]
    public void Each_mailbox_shows_its_connections_messages_in_the_window_and_recipients_today()
    {
        var output = new StringWriter();

        StatusTable.Write(output, new StatusReport([Mailbox(new SendingStatus(2, 3, 17, 30, TimeSpan.FromMinutes(1), 420, 10_000, null, null))]), Now);

        Assert.Contains("SENDING", output.ToString());
        Assert.Contains("2/3 conn, 17/30 msgs, 420/10000 rcpts today", output.ToString());
        Assert.DoesNotContain("backed off", output.ToString());
    }

    [Fact]
    public void A_backed_off_mailbox_says_until_when_and_why()
    {
        var output = new StringWriter();
        var reason = "The server answered \"432 4.3.2 Concurrent connections limit exceeded.\": Exchange Online allows 3 concurrent SMTP connections per mailbox.";

        StatusTable.Write(output, new StatusReport([Mailbox(new SendingStatus(0, 3, 0, 30, TimeSpan.FromMinutes(1), 0, 10_000, Now.AddMinutes(1), reason))]), Now);

        Assert.Contains("0/3 conn, 0/30 msgs, 0/10000 rcpts today, backed off", output.ToString());
        Assert.Contains($"  backed off:  until 2026-12-02 12:01Z (in 1m): {reason}", output.ToString());
    }

    [Fact]
    public void Each_bridge_lists_its_counters_per_app_mailbox_and_protocol_with_when_it_reported()
    {
        var output = new StringWriter();
        var report = new StatusReport([Mailbox(null)])
        {
            Bridge = new TokenBroker.Bridge.BridgeStatus(Now.AddSeconds(-10), [new("label-printer", "a@contoso.com", "smtp", 4, 12, 1)]),
            RemoteBridges = [new("branch-bridge", Now.AddMinutes(-3), [new("freescout", "a@contoso.com", "imap", 9, 0, 0)])],
        };

        StatusTable.Write(output, report, Now);

        var lines = output.ToString().Split(Environment.NewLine);
        Assert.Contains("Bridge on the broker's machine, counters written 2026-12-02 11:59Z (0m ago):", lines);
        Assert.Contains("Bridge 'branch-bridge', reported 2026-12-02 11:57Z (3m ago):", lines);
        Assert.Contains(lines, l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries) is ["label-printer", "a@contoso.com", "smtp", "4", "12", "1"]);
        Assert.Contains(lines, l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries) is ["freescout", "a@contoso.com", "imap", "9", "0", "0"]);
    }
}
