using TokenBroker.Jobs.Events;
using TokenBroker.Store;

namespace TokenBroker.OAuth;

/// <summary>
/// Decides when a mailbox that works again deserves a <c>mailbox.recovered</c> event: it needed consent or had a
/// broken credential, or its token requests kept failing (a recorded error or back-off), also while a re-consent was pending.
/// </summary>
internal static class MailboxRecovery
{
    /// <remarks>A re-consent link makes a failed mailbox PendingConsent but keeps its last error: that still counts.</remarks>
    public static bool WasFailing(Mailbox before) =>
        before.State is MailboxState.NeedsConsent or MailboxState.BrokenCredential
        || before.LastError is not null || before.Backoff is not null;

    /// <summary>The event, or null when <paramref name="before"/> was not failing; <paramref name="how"/> says what healed it.</summary>
    public static BrokerEvent? EventFor(Mailbox before, string how, DateTimeOffset at)
    {
        if (!WasFailing(before)) return null;
        var wrong = before.State == MailboxState.PendingConsent ? before.LastError : before.StateReason ?? before.LastError;
        return BrokerEvent.Recovered(before.Address, before.State.ToString(),
            how + (wrong is null ? "." : $"; before, it failed with: {wrong.TrimEnd('.')}."), at);
    }

    public static async Task PublishIfRecoveredAsync(IBrokerEventSink? sink, Mailbox before, string how, DateTimeOffset at, CancellationToken cancellationToken)
    {
        if (sink is null || EventFor(before, how, at) is not { } recovered) return;
        await sink.PublishAsync(recovered, cancellationToken).ConfigureAwait(false);
    }
}
