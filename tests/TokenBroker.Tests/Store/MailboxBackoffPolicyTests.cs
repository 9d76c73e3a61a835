using TokenBroker.Store;

namespace TokenBroker.Tests.Store;

public sealed class MailboxBackoffPolicyTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 21, 23, 0, 0, TimeSpan.Zero);
    private static readonly MailboxBackoffPolicy Policy = new(TimeSpan.FromMinutes(5), TimeSpan.FromHours(1));

    [Fact]
    public void The_first_failure_waits_the_initial_back_off()
    {
        Assert.Equal(new MailboxBackoff(Now.AddMinutes(5), 1), Policy.Next(null, Now, retryAfter: null));
    }

    [Fact]
    public void Each_further_failure_doubles_the_wait()
    {
        var third = Policy.Next(new MailboxBackoff(Now, 2), Now, retryAfter: null);

        Assert.Equal(new MailboxBackoff(Now.AddMinutes(20), 3), third);
    }

    [Fact]
    public void The_wait_never_exceeds_the_maximum()
    {
        Assert.Equal(Now.AddHours(1), Policy.Next(new MailboxBackoff(Now, 40), Now, retryAfter: null).NextAttemptAt);
    }

    [Fact]
    public void A_longer_Retry_After_wins_over_the_exponential_wait()
    {
        Assert.Equal(Now.AddHours(2), Policy.Next(null, Now, TimeSpan.FromHours(2)).NextAttemptAt);
    }

    [Fact]
    public void A_shorter_Retry_After_does_not_shorten_the_wait()
    {
        Assert.Equal(Now.AddMinutes(5), Policy.Next(null, Now, TimeSpan.FromSeconds(10)).NextAttemptAt);
    }
}
