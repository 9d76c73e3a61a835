using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using TokenBroker.Jobs.Events;

namespace TokenBroker.Bridge;

/// <summary>
/// The <c>bridge.login-refused</c> event for a mailbox that needs consent, at most one per app and mailbox every
/// <see cref="Interval"/>, so an app retrying every few seconds does not flood broker-events. Raised where the broker's
/// event queue is: by the bridge on the broker's machine, and by the broker's token endpoint for a remote bridge.
/// </summary>
public sealed class BridgeRefusalEvents(TimeProvider time, IBrokerEventSink? events, ILogger? logger = null)
{
    public static readonly TimeSpan Interval = TimeSpan.FromMinutes(5);
    private const int MaxRemembered = 10_000;

    private readonly ConcurrentDictionary<(string App, string Mailbox), DateTimeOffset> _last = new();

    /// <returns>Whether an event was published (false: one went out for this app and mailbox less than <see cref="Interval"/> ago).</returns>
    public async Task<bool> PublishAsync(string mailbox, string app, string protocol, string reason, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var key = (app, mailbox);
        if (_last.TryGetValue(key, out var last) && now - last < Interval) return false;
        if (_last.Count >= MaxRemembered) _last.Clear();
        _last[key] = now;
        if (events is null) return false;
        try
        {
            await events.PublishAsync(BrokerEvent.BridgeLoginRefused(mailbox, app, protocol, reason, now), cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The app's refusal is what matters; an event queue that is down must not turn it into another error.
            (logger ?? NullLogger.Instance).LogWarning("The bridge.login-refused event for {Mailbox} (app {App}) could not be published: {Reason}", mailbox, app, e.Message);
            return false;
        }
    }
}
