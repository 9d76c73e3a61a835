using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;
using TokenBroker.Bridge.Access;

namespace TokenBroker.Bridge;

/// <summary>Counts of one app on one mailbox over one protocol since the bridge started.</summary>
public sealed record BridgeCounters(string App, string Mailbox, string Protocol, long Sessions, long Messages, long Refusals);

/// <summary>
/// What the bridge did, per app, mailbox and protocol: sessions (logins accepted), messages (SMTP messages the server
/// took) and refusals; the same as metrics (meter TokenBroker: tokenbroker.bridge.logins, tokenbroker.bridge.messages,
/// tokenbroker.bridge.login.duration), and a <c>bridge.login-refused</c> event on broker-events when a mailbox needs
/// consent (<see cref="BridgeRefusalEvents"/>; none from a bridge whose broker is remote: its token endpoint raises them).
/// </summary>
public sealed class BridgeActivity
{
    public const string UnknownApp = "(unknown)";
    public const string AnyMailbox = "(any)";

    private readonly ConcurrentDictionary<(string App, string Mailbox, string Protocol), Tally> _tallies = new();
    private readonly Counter<long> _logins;
    private readonly Counter<long> _messages;
    private readonly Histogram<double> _loginDuration;
    private readonly BridgeRefusalEvents? _events;
    private readonly ILogger _logger;

    public BridgeActivity(IMeterFactory meters, ILogger<BridgeActivity> logger, BridgeRefusalEvents? events = null)
    {
        var meter = meters.Create(TokenBroker.Jobs.Telemetry.BrokerMetrics.MeterName);
        _logins = meter.CreateCounter<long>("tokenbroker.bridge.logins", "{login}", "Bridge logins by protocol and outcome (accepted, wrong-credentials, needs-consent, unavailable, no-token, server-refused).");
        _messages = meter.CreateCounter<long>("tokenbroker.bridge.messages", "{message}", "Messages submitted through the SMTP bridge, by outcome (sent, refused).");
        _loginDuration = meter.CreateHistogram<double>("tokenbroker.bridge.login.duration", "s", "Time the bridge spent on a login: secret check, token, server login.");
        _events = events;
        _logger = logger;
    }

    public IReadOnlyList<BridgeCounters> Snapshot() =>
        _tallies.Select(t => new BridgeCounters(t.Key.App, t.Key.Mailbox, t.Key.Protocol,
                Interlocked.Read(ref t.Value.Sessions), Interlocked.Read(ref t.Value.Messages), Interlocked.Read(ref t.Value.Refusals)))
            .OrderBy(c => c.App, StringComparer.Ordinal).ThenBy(c => c.Mailbox, StringComparer.Ordinal).ThenBy(c => c.Protocol, StringComparer.Ordinal)
            .ToList();

    public void LoginAccepted(string app, string mailbox, string protocol, TimeSpan took)
    {
        Interlocked.Increment(ref TallyOf(app, mailbox, protocol).Sessions);
        _logins.Add(1, new("protocol", protocol), new("outcome", "accepted"));
        _loginDuration.Record(took.TotalSeconds, new KeyValuePair<string, object?>("protocol", protocol));
    }

    /// <summary>A refused login: counted, logged without any secret, and for needs-consent an event.</summary>
    public async Task LoginRefusedAsync(BridgeLoginResult result, string protocol, string outcome, CancellationToken cancellationToken)
    {
        // A wrong secret proves nothing about the name it came with: counted under one key, so strangers cannot grow the table.
        var app = result.App ?? UnknownApp;
        Interlocked.Increment(ref TallyOf(app, result.App is null ? AnyMailbox : result.Mailbox, protocol).Refusals);
        _logins.Add(1, new("protocol", protocol), new("outcome", outcome));
        _logger.LogWarning("Bridge {Protocol} login refused for {Mailbox} (app {App}): {Outcome}. {Reason}", protocol, result.Mailbox, app, outcome, result.Reason);
        if (result.Outcome != BridgeLoginOutcome.NeedsConsent || result.App is null || _events is null) return;
        await _events.PublishAsync(result.Mailbox, result.App, protocol, result.Reason ?? "needs consent", cancellationToken).ConfigureAwait(false);
    }

    public void MessageSent(string app, string mailbox)
    {
        Interlocked.Increment(ref TallyOf(app, mailbox, "smtp").Messages);
        _messages.Add(1, new KeyValuePair<string, object?>("outcome", "sent"));
    }

    public void MessageRefused(string app, string mailbox)
    {
        Interlocked.Increment(ref TallyOf(app, mailbox, "smtp").Refusals);
        _messages.Add(1, new KeyValuePair<string, object?>("outcome", "refused"));
    }

    private Tally TallyOf(string app, string mailbox, string protocol) => _tallies.GetOrAdd((app, mailbox, protocol), _ => new Tally());

    private sealed class Tally
    {
        public long Sessions;
        public long Messages;
        public long Refusals;
    }
}
