using TokenBroker.Jobs.Refresh;
using TokenBroker.OAuth;
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

/// <summary>The sweep's token requests wait at the gate for one of <see cref="AdaptiveConcurrency.Limit"/> slots.</summary>
public sealed class AdaptiveConcurrencyGateTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_request_beyond_the_limit_waits_until_a_slot_is_freed()
    {
        var gate = new AdaptiveConcurrency(2, new ManualTimeProvider());
        var first = await gate.EnterAsync(Ct);
        using var second = await gate.EnterAsync(Ct);

        var third = gate.EnterAsync(Ct).AsTask();
        await Task.Delay(50, Ct);
        var waitedWhileFull = !third.IsCompleted;
        first.Dispose();
        using var entered = await third.WaitAsync(TimeSpan.FromSeconds(10), Ct);

        Assert.True(waitedWhileFull);
        Assert.Equal(2, gate.InUse);
    }

    [Fact]
    public async Task A_Retry_After_holds_requests_at_the_gate_until_it_has_passed()
    {
        var clock = new ManualTimeProvider();
        var gate = new AdaptiveConcurrency(8, clock);
        gate.Overloaded(TimeSpan.FromSeconds(3));

        var waiting = gate.EnterAsync(Ct).AsTask();
        await Task.Delay(50, Ct);
        var heldDuringThePause = !waiting.IsCompleted;
        clock.Advance(TimeSpan.FromSeconds(3));
        using var entered = await waiting.WaitAsync(TimeSpan.FromSeconds(10), Ct);

        Assert.True(heldDuringThePause);
    }

    [Fact]
    public async Task A_success_that_raises_the_limit_lets_a_waiting_request_in()
    {
        var gate = new AdaptiveConcurrency(2, new ManualTimeProvider());
        gate.Overloaded(retryAfter: null);
        using var only = await gate.EnterAsync(Ct);

        var waiting = gate.EnterAsync(Ct).AsTask();
        gate.Succeeded();
        using var entered = await waiting.WaitAsync(TimeSpan.FromSeconds(10), Ct);

        Assert.Equal((2, 2), (gate.Limit, gate.InUse));
    }

    [Fact]
    public async Task Closing_the_gate_sends_waiting_and_later_requests_away()
    {
        var gate = new AdaptiveConcurrency(1, new ManualTimeProvider());
        using var only = await gate.EnterAsync(Ct);
        var waiting = gate.EnterAsync(Ct).AsTask();

        gate.Close();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting.WaitAsync(TimeSpan.FromSeconds(10), Ct));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await gate.EnterAsync(Ct));
    }

    [Fact]
    public async Task A_refusal_with_Retry_After_holds_the_request_waiting_for_the_refused_ones_slot()
    {
        var clock = new ManualTimeProvider();
        var gate = new AdaptiveConcurrency(1, clock);
        var refused = await gate.EnterAsync(Ct);
        var waiting = gate.EnterAsync(Ct).AsTask();

        refused.Refused(new TokenFailure(TokenFailureKind.Transient, "Too many requests."), TimeSpan.FromSeconds(5));
        refused.Dispose();
        await Task.Delay(50, Ct);
        var heldDuringThePause = !waiting.IsCompleted;
        clock.Advance(TimeSpan.FromSeconds(5));
        using var entered = await waiting.WaitAsync(TimeSpan.FromSeconds(10), Ct);

        Assert.True(heldDuringThePause);
    }

    [Fact]
    public async Task A_broken_client_credential_sends_the_request_waiting_for_the_refused_ones_slot_away()
    {
        var gate = new AdaptiveConcurrency(1, new ManualTimeProvider());
        var refused = await gate.EnterAsync(Ct);
        var waiting = gate.EnterAsync(Ct).AsTask();

        refused.Refused(new TokenFailure(TokenFailureKind.BrokenCredential, "The client secret has expired."), retryAfter: null);
        refused.Dispose();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting.WaitAsync(TimeSpan.FromSeconds(10), Ct));
    }

    [Fact]
    public async Task A_refusal_that_calls_for_no_pause_frees_the_slot_for_the_next_request()
    {
        var gate = new AdaptiveConcurrency(1, new ManualTimeProvider());
        var refused = await gate.EnterAsync(Ct);
        var waiting = gate.EnterAsync(Ct).AsTask();

        refused.Refused(new TokenFailure(TokenFailureKind.NeedsConsent, "The refresh token has expired."), retryAfter: null);
        refused.Dispose();
        using var entered = await waiting.WaitAsync(TimeSpan.FromSeconds(10), Ct);

        Assert.Equal(1, gate.Limit);
    }

    [Fact]
    public async Task Freeing_a_slot_twice_frees_it_once()
    {
        var gate = new AdaptiveConcurrency(2, new ManualTimeProvider());
        var slot = await gate.EnterAsync(Ct);
        using var other = await gate.EnterAsync(Ct);

        slot.Dispose();
        slot.Dispose();

        Assert.Equal(1, gate.InUse);
    }
}
