using TokenBroker.Jobs.Refresh;
using TokenBroker.Testing;

namespace TokenBroker.Tests.Jobs.Refresh;

/// <summary>How the sweep's concurrency follows the identity provider's answers.</summary>
public sealed class AdaptiveConcurrencyTests
{
    [Fact]
    public void It_starts_at_the_configured_ceiling()
    {
        Assert.Equal(8, new AdaptiveConcurrency(8, new ManualTimeProvider()).Limit);
    }

    [Fact]
    public void An_overloaded_answer_halves_the_limit()
    {
        var concurrency = new AdaptiveConcurrency(8, new ManualTimeProvider());

        concurrency.Overloaded(retryAfter: null);

        Assert.Equal(4, concurrency.Limit);
    }

    [Fact]
    public void Overloaded_answers_within_the_calm_down_halve_the_limit_only_once()
    {
        var clock = new ManualTimeProvider();
        var concurrency = new AdaptiveConcurrency(8, clock);

        for (var i = 0; i < 5; i++) concurrency.Overloaded(retryAfter: null);
        clock.Advance(AdaptiveConcurrency.CalmDown);
        concurrency.Overloaded(retryAfter: null);

        Assert.Equal(2, concurrency.Limit);
    }

    [Fact]
    public void Successes_raise_the_limit_by_one_per_limit_successes_and_never_above_the_ceiling()
    {
        var concurrency = new AdaptiveConcurrency(8, new ManualTimeProvider());
        concurrency.Overloaded(retryAfter: null);

        for (var i = 0; i < 4; i++) concurrency.Succeeded();
        var afterFour = concurrency.Limit;
        for (var i = 0; i < 1000; i++) concurrency.Succeeded();

        Assert.Equal((5, 8), (afterFour, concurrency.Limit));
    }

    [Fact]
    public void A_Retry_After_holds_every_new_start_until_it_has_passed()
    {
        var clock = new ManualTimeProvider();
        var concurrency = new AdaptiveConcurrency(8, clock);

        concurrency.Overloaded(TimeSpan.FromSeconds(3));

        Assert.Equal(clock.GetUtcNow() + TimeSpan.FromSeconds(3), concurrency.ResumeAt);
    }

    [Fact]
    public void The_limit_never_drops_below_one()
    {
        var clock = new ManualTimeProvider();
        var concurrency = new AdaptiveConcurrency(2, clock);

        for (var i = 0; i < 5; i++)
        {
            concurrency.Overloaded(retryAfter: null);
            clock.Advance(AdaptiveConcurrency.CalmDown);
        }

        Assert.Equal(1, concurrency.Limit);
    }
}
