using TokenBroker.Jobs.Mail;
using TokenBroker.Testing;
using TokenBroker.Tests.Jobs.Mail.Support;

namespace TokenBroker.Tests.Jobs.Mail;

/// <summary>Consecutive messages of a mailbox share one authenticated connection (Dovecot submission → Maildir).</summary>
public sealed class ConnectionReuseTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Five_consecutive_messages_of_a_mailbox_use_one_connection_and_one_auth()
    {
        await using var harness = MailJobsHarness.Create();
        var from = Maildir.UniqueAddress("sender");
        var to = Maildir.UniqueAddress("rcpt");
        await harness.RegisterAsync(from);

        for (var i = 0; i < 5; i++)
            await harness.RunAsync(MailJobsHarness.SendRequest(from, to).ToJsonString(), Ct);

        Assert.Equal(5, (await Maildir.For(to).WaitForMessagesAsync(5, cancellationToken: Ct)).Count);
        Assert.Equal(1, harness.Sessions.Opened);
    }

    [Fact]
    public async Task A_new_token_makes_the_next_message_authenticate_again()
    {
        await using var harness = MailJobsHarness.Create();
        var from = Maildir.UniqueAddress("sender");
        var to = Maildir.UniqueAddress("rcpt");
        await harness.RegisterAsync(from);
        await harness.RunAsync(MailJobsHarness.SendRequest(from, to).ToJsonString(), Ct);

        harness.Tokens.Rotate(from);
        await harness.RunAsync(MailJobsHarness.SendRequest(from, to).ToJsonString(), Ct);

        Assert.Equal(2, (await Maildir.For(to).WaitForMessagesAsync(2, cancellationToken: Ct)).Count);
        Assert.Equal(2, harness.Sessions.Opened);
    }

    [Fact]
    public async Task An_idle_connection_is_closed_after_the_idle_timeout()
    {
        var clock = new ManualTimeProvider(DateTimeOffset.UtcNow);
        await using var harness = MailJobsHarness.Create(timeProvider: clock);
        var from = Maildir.UniqueAddress("sender");
        await harness.RegisterAsync(from);
        await harness.RunAsync(MailJobsHarness.SendRequest(from, Maildir.UniqueAddress("rcpt")).ToJsonString(), Ct);
        Assert.Equal(1, harness.Governor.IdleSessionCount(from));

        clock.Advance(TimeSpan.FromSeconds(61));

        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (harness.Governor.IdleSessionCount(from) > 0 && DateTime.UtcNow < deadline)
            await Task.Delay(20, Ct); // the sweep closes the connection with QUIT, asynchronously
        Assert.Equal(0, harness.Governor.IdleSessionCount(from));
    }
}
