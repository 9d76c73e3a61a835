using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using TokenBroker.Jobs.Events;
using TokenBroker.OAuth;
using TokenBroker.Store;

namespace TokenBroker.Jobs.Refresh;

/// <summary>What one sweep did, and the state changes it caused (one event each).</summary>
public sealed record RefreshSweepResult(int Registered, int Due, int Refreshed, int Skipped, int Failed, IReadOnlyList<BrokerEvent> Events)
{
    /// <summary>The registry's states as listed at the start of the sweep (this sweep's changes show in the next one).</summary>
    public IReadOnlyDictionary<MailboxState, int> MailboxesByState { get; init; } = new Dictionary<MailboxState, int>();
}

/// <summary>
/// One pass of the keep-alive over every mailbox: a Connected mailbox whose refresh token was last redeemed
/// <see cref="RefreshOptions.Interval"/> ago (less its own share of <see cref="RefreshOptions.Spread"/>) is due; access
/// tokens are the token provider's on-demand business and play no part here. Which ones are due is decided from the
/// registry's listing metadata; only those records are read, once each and under the store's lock on them when it
/// has one (<see cref="IMailboxRegistry.HoldAsync"/>: a mailbox another writer holds is skipped; mailboxes sharing a
/// lock go one after the other), and handed to
/// <see cref="IMailboxTokenProvider.KeepAliveAsync"/>, which writes each once. Due mailboxes go in random order (two
/// instances sweeping at once rarely meet on one group); the token requests run at a concurrency that adapts to the
/// identity provider (<see cref="AdaptiveConcurrency"/>), and the store's reads and writes overlap with them. A
/// mailbox backing off after transient failures (<see cref="Mailbox.Backoff"/>, stored with it) waits, whichever
/// instance recorded it. A mailbox's failure stays with that mailbox, except a
/// broken client credential, which stops the sweep: it affects every mailbox.
/// </summary>
public sealed class RefreshSweep(
    IMailboxRegistry registry,
    IMailboxTokenProvider tokens,
    IOptions<RefreshOptions> options,
    TimeProvider time,
    Random random,
    ILogger<RefreshSweep> logger)
{
    private enum Outcome { Refreshed, Skipped, Failed, TimedOut, CredentialBroken }

    private sealed record MailboxResult(string? Address, Outcome Outcome, BrokerEvent? Change);

    public async Task<RefreshSweepResult> RunAsync(CancellationToken cancellationToken = default)
    {
        var settings = options.Value;
        var all = await registry.ListSummariesAsync(cancellationToken).ConfigureAwait(false);
        var now = time.GetUtcNow();
        var due = all.Where(m => IsDue(m, now, settings)).ToArray();
        random.Shuffle(due);
        // Groups in random order, each group's mailboxes one after the other: a lock shared by a group is taken once.
        due = due.GroupBy(registry.HoldGroupOf).SelectMany(group => group).ToArray();
        var events = new List<BrokerEvent>();
        int refreshed = 0, skipped = 0, failed = 0, started = 0, leftWaiting = 0;
        string? brokenBy = null;
        string? brokenReason = null;

        using var sweep = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var concurrency = new AdaptiveConcurrency(settings.MaxConcurrency, time);
        var running = new List<Task<MailboxResult>>(2 * concurrency.Ceiling);
        while (true)
        {
            var paused = concurrency.ResumeAt > time.GetUtcNow();
            if (paused && concurrency.ResumeAt - time.GetUtcNow() > settings.MaxPause)
                break; // a long Retry-After: leave the rest due for a later sweep rather than hold this one
            // Up to twice the token requests allowed are in progress: reading and writing the store overlap with the
            // token requests (the identity provider sees the limit), and none waits for a slot longer than one request.
            while (brokenBy is null && !paused && started < due.Length && running.Count < 2 * concurrency.Limit)
                running.Add(KeepAliveOneAsync(due[started++], settings, concurrency, sweep.Token));
            if (running.Count == 0)
            {
                if (brokenBy is not null || started == due.Length) break;
                var wait = concurrency.ResumeAt - time.GetUtcNow();
                if (wait > TimeSpan.Zero) await Task.Delay(wait, time, cancellationToken).ConfigureAwait(false);
                continue;
            }

            var finished = await Task.WhenAny(running).ConfigureAwait(false);
            running.Remove(finished);
            MailboxResult result;
            try
            {
                result = await finished.ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                // The credential is broken (the gate closed, or the sweep cancelled the rest): never asked the
                // identity provider, and MarkAllBrokenAsync covers it.
                leftWaiting++;
                continue;
            }
            if (result.Change is not null) events.Add(result.Change);
            switch (result.Outcome)
            {
                case Outcome.Refreshed: refreshed++; concurrency.Succeeded(); break;
                case Outcome.Skipped: skipped++; break;
                case Outcome.Failed: failed++; break; // a throttled request: the gate heard it before freeing its slot
                case Outcome.TimedOut: failed++; concurrency.Overloaded(retryAfter: null); break;
                case Outcome.CredentialBroken:
                    failed++;
                    if (brokenBy is null)
                    {
                        brokenBy = result.Address;
                        brokenReason = result.Change?.Reason;
                        await sweep.CancelAsync().ConfigureAwait(false);
                    }
                    break;
            }
        }
        concurrency.Close();
        leftWaiting += await DrainAsync(running).ConfigureAwait(false);

        if (brokenBy is not null)
        {
            // The keep-alives that raced the first failure may have sent their own event; fold them into one.
            events.RemoveAll(e => e.To == nameof(MailboxState.BrokenCredential));
            events.Add(await MarkAllBrokenAsync(brokenBy, brokenReason, cancellationToken).ConfigureAwait(false));
        }
        logger.LogInformation("Refresh sweep: {Registered} mailboxes, {Due} due, {Refreshed} refreshed, {Skipped} skipped, {Failed} failed, {Left} left for the next sweep; concurrency ended at {Limit} of {Ceiling}.",
            all.Count, due.Length, refreshed, skipped, failed, due.Length - started + leftWaiting, concurrency.Limit, concurrency.Ceiling);
        return new RefreshSweepResult(all.Count, due.Length, refreshed, skipped, failed, events)
        {
            MailboxesByState = all.Where(m => m.State is not null).GroupBy(m => m.State!.Value).ToDictionary(g => g.Key, g => g.Count()),
        };
    }

    /// <summary>
    /// Waits for keep-alives still running when the loop ended (a long pause, or a cancelled sweep); their outcome is
    /// in the store. Returns how many were cancelled, most of them before their token request: left for the next sweep.
    /// </summary>
    private static async Task<int> DrainAsync(List<Task<MailboxResult>> running)
    {
        var cancelled = 0;
        foreach (var task in running)
        {
            try { await task.ConfigureAwait(false); }
            catch (OperationCanceledException) { cancelled++; }
        }
        return cancelled;
    }

    /// <summary>Unknown metadata (a state the listing does not tell) counts as due: the record read then decides.</summary>
    private static bool IsDue(MailboxSummary mailbox, DateTimeOffset now, RefreshOptions settings) =>
        mailbox.State is null
        || (mailbox.State == MailboxState.Connected
            && !(mailbox.NextAttemptAt > now)
            && (mailbox.LastRefreshAt is not { } last || now - last >= DueAfter(mailbox.Id, settings)));

    /// <summary>The interval less this mailbox's fixed share of the spread (<see cref="StableHash"/> of its store key: the same on every instance and after restarts).</summary>
    private static TimeSpan DueAfter(string id, RefreshOptions settings) =>
        settings.Interval - settings.Spread * (StableHash.Of(id) / (double)uint.MaxValue);

    private async Task<MailboxResult> KeepAliveOneAsync(MailboxSummary listed, RefreshOptions settings, ITokenRequestGate gate, CancellationToken cancellationToken)
    {
        // Null: deleted, or another writer (a consent, another instance's sweep) is at this mailbox now.
        await using var held = await registry.HoldAsync(listed, cancellationToken).ConfigureAwait(false);
        // The listing's metadata may be a moment older than the record (another instance may have kept it alive meanwhile).
        var current = held?.Current;
        if (current is null || !IsDue(MailboxSummary.Of(listed.Id, current.Value), time.GetUtcNow(), settings))
            return new(current?.Value.Address, Outcome.Skipped, null);
        var before = current.Value;

        using var timeout = new CancellationTokenSource(settings.MailboxTimeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            // Success clears the mailbox's back-off and a transient failure extends it, in the provider's one write.
            await tokens.KeepAliveAsync(current, gate, linked.Token).ConfigureAwait(false);
            return new(before.Address, Outcome.Refreshed, null);
        }
        catch (MailboxTokenUnavailableException unavailable)
        {
            var failure = unavailable.Failure;
            if (failure.Kind == TokenFailureKind.BrokenCredential)
                return new(before.Address, Outcome.CredentialBroken, BrokerEvent.StateChanged(before.Address, before.State.ToString(), nameof(MailboxState.BrokenCredential), failure.Reason, time.GetUtcNow()));
            if (unavailable.State is { } after && after != before.State)
                return new(before.Address, Outcome.Failed, BrokerEvent.StateChanged(before.Address, before.State.ToString(), after.ToString(), ReasonInWords(failure), time.GetUtcNow()));
            logger.LogWarning("Keeping {Mailbox} alive failed ({Kind}): {Reason}; it backs off before the next attempt.", before.Address, failure.Kind, failure.Reason);
            return new(before.Address, Outcome.Failed, null);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            var reason = $"Refreshing the token took longer than {settings.MailboxTimeout}; abandoned.";
            await held!.DisposeAsync().ConfigureAwait(false); // recording the back-off takes the mailbox's lock itself
            var next = await RecordBackoffAsync(before.Address, reason, settings, cancellationToken).ConfigureAwait(false);
            logger.LogWarning("Keeping {Mailbox} alive took longer than {Timeout}; abandoned, next attempt after {Next:O}.", before.Address, settings.MailboxTimeout, next);
            return new(before.Address, Outcome.TimedOut, null);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            await held!.DisposeAsync().ConfigureAwait(false);
            var next = await RecordBackoffAsync(before.Address, $"Refreshing the token failed unexpectedly ({exception.GetType().Name}).", settings, cancellationToken).ConfigureAwait(false);
            logger.LogError("Keeping {Mailbox} alive failed unexpectedly ({Type}: {Reason}); next attempt after {Next:O}.", before.Address, exception.GetType().Name, exception.Message, next);
            return new(before.Address, Outcome.Failed, null);
        }
    }

    /// <summary>The classifier's reason plus what must happen next, for the event and the status page.</summary>
    private static string ReasonInWords(TokenFailure failure) => failure.Kind switch
    {
        TokenFailureKind.NeedsConsent => failure.Reason.TrimEnd('.') + ": an admin must reconnect the mailbox through a new consent link.",
        _ => failure.Reason,
    };

    /// <summary>
    /// A failure the token provider did not record (it never answered): the sweep backs the mailbox off itself, in
    /// one write with the error. Returns the next attempt time, or null when the mailbox is gone or kept changing.
    /// </summary>
    private async Task<DateTimeOffset?> RecordBackoffAsync(string address, string reason, RefreshOptions settings, CancellationToken cancellationToken)
    {
        var policy = new MailboxBackoffPolicy(settings.InitialBackoff, settings.MaxBackoff);
        for (var attempt = 1; attempt <= 3; attempt++)
        {
            var current = await registry.GetAsync(address, cancellationToken).ConfigureAwait(false);
            if (current is null) return null;
            var now = time.GetUtcNow();
            var backoff = policy.Next(current.Value.Backoff, now, retryAfter: null);
            try
            {
                await registry.SaveAsync(current.Value with { Backoff = backoff, LastError = reason, UpdatedAt = now }, current.Version, cancellationToken).ConfigureAwait(false);
                return backoff.NextAttemptAt;
            }
            catch (StoreConcurrencyException)
            {
                // A token request or another sweep wrote meanwhile: re-read and apply the back-off on top.
            }
        }
        return null;
    }

    /// <summary>The client credential is the broker's, not a mailbox's: every Connected mailbox is as broken as the first.</summary>
    private async Task<BrokerEvent> MarkAllBrokenAsync(string brokenBy, string? reason, CancellationToken cancellationToken)
    {
        reason ??= "The identity provider refused the broker's client credential.";
        var affected = new List<string>();
        foreach (var summary in await registry.ListSummariesAsync(cancellationToken).ConfigureAwait(false))
        {
            if (summary.State is not (null or MailboxState.Connected or MailboxState.BrokenCredential)) continue;
            var entry = await registry.GetAsync(summary, cancellationToken).ConfigureAwait(false);
            if (entry is null) continue;
            var mailbox = entry.Value;
            if (mailbox.State == MailboxState.BrokenCredential) { affected.Add(mailbox.Address); continue; }
            if (mailbox.State != MailboxState.Connected) continue;
            try
            {
                await registry.SaveAsync(mailbox with
                {
                    State = MailboxState.BrokenCredential,
                    StateReason = reason,
                    LastError = reason,
                    UpdatedAt = time.GetUtcNow(),
                }, entry.Version, cancellationToken).ConfigureAwait(false);
                affected.Add(mailbox.Address);
            }
            catch (StoreConcurrencyException)
            {
                // Changed meanwhile (another sweep, or a token request that marked or healed it): leave it to them.
            }
        }
        logger.LogError("The broker's client credential is broken ({Reason}); {Count} mailboxes marked BrokenCredential.", reason, affected.Count);
        return BrokerEvent.StateChanged(brokenBy, nameof(MailboxState.Connected), nameof(MailboxState.BrokenCredential), reason + " Every mailbox is affected until an operator fixes the credential.", time.GetUtcNow())
            with { Mailboxes = affected };
    }
}
