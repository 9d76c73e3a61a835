using TokenBroker.OAuth;
using TokenBroker.Store;

namespace TokenBroker.Jobs.Mail;

/// <summary>
/// Whether a registered mailbox can be used now for sending or fetching over a protocol, and its token; when not, a
/// <see cref="MailRequestRejectedException"/> that says why and what to do, in words.
/// </summary>
internal static class MailboxUse
{
    /// <exception cref="MailRequestRejectedException">The mailbox's state or consent does not allow it.</exception>
    public static void EnsureUsable(Mailbox mailbox, MailProtocols protocol)
    {
        var (name, activity, inability) = Describe(protocol);
        var because = string.IsNullOrWhiteSpace(mailbox.StateReason) ? "" : $" ({mailbox.StateReason})";
        var refusal = mailbox.State switch
        {
            MailboxState.Connected when !mailbox.Protocols.HasFlag(protocol) =>
                $"{mailbox.Address} was not consented for {name}; have an admin invite its owner to a new consent with protocols including {Parameter(protocol)} (tokenbroker consent invite {mailbox.Address} --protocols {Parameter(protocol)},…).",
            MailboxState.Connected => null,
            MailboxState.PendingConsent =>
                $"{mailbox.Address} has not finished its consent yet; the mailbox's owner must open the invitation link (tokenbroker consent invite {mailbox.Address} issues a new one).",
            MailboxState.NeedsConsent =>
                $"{mailbox.Address} needs consent again{because}; send its owner a new invitation (tokenbroker consent invite {mailbox.Address}, or the re-consent link in status) and resubmit the request after they sign in.",
            MailboxState.BrokenCredential =>
                $"The broker's own credential is broken{because}, so {mailbox.Address} cannot get tokens; an operator must renew the client secret or certificate (OAuth settings) and resubmit.",
            MailboxState.Disabled =>
                $"{mailbox.Address} is disabled by an operator{because}; enable it before {activity} it.",
            _ => $"{mailbox.Address} is in state {mailbox.State}{because} and {inability}.",
        };
        if (refusal is not null) throw new MailRequestRejectedException(refusal);
    }

    /// <summary>The mailbox's current token. Trouble that may pass (the identity provider's 5xx, 429) propagates for the queue to retry.</summary>
    /// <exception cref="MailRequestRejectedException">No token can be had until a person acts.</exception>
    public static async Task<MailboxAccessToken> GetTokenAsync(IMailboxTokenProvider tokens, string mailbox, MailProtocols protocol, CancellationToken cancellationToken)
    {
        try
        {
            return await tokens.GetAccessTokenAsync(mailbox, cancellationToken).ConfigureAwait(false);
        }
        catch (MailboxTokenUnavailableException unavailable) when (!unavailable.Failure.IsTransient)
        {
            throw new MailRequestRejectedException(unavailable.Failure.Kind switch
            {
                TokenFailureKind.NeedsConsent => $"{mailbox} needs consent again ({unavailable.Failure.Reason}); send its owner a new invitation (tokenbroker consent invite {mailbox}, or the re-consent link in status) and resubmit.",
                TokenFailureKind.BrokenCredential => $"The broker's own credential is broken ({unavailable.Failure.Reason}); an operator must fix it before {mailbox} can {(protocol == MailProtocols.Smtp ? "send" : "be fetched from")}.",
                _ => $"No token for {mailbox}: {unavailable.Failure.Reason}",
            }, unavailable);
        }
    }

    private static (string Name, string Activity, string Inability) Describe(MailProtocols protocol) => protocol switch
    {
        MailProtocols.Smtp => ("SMTP sending", "sending from", "cannot send"),
        MailProtocols.Imap => ("IMAP", "fetching from", "cannot be fetched from"),
        MailProtocols.Pop3 => ("POP3", "fetching from", "cannot be fetched from"),
        _ => throw new ArgumentOutOfRangeException(nameof(protocol), protocol, "One protocol: Smtp, Imap or Pop3."),
    };

    private static string Parameter(MailProtocols protocol) => protocol.ToString().ToLowerInvariant();
}
