using TokenBroker.Store;

namespace TokenBroker.Jobs.Mail;

/// <summary>Whether a registered mailbox can send now, and if not, why and what to do, in words.</summary>
internal static class MailboxSendability
{
    public static string? Refusal(Mailbox mailbox)
    {
        var because = string.IsNullOrWhiteSpace(mailbox.StateReason) ? "" : $" ({mailbox.StateReason})";
        return mailbox.State switch
        {
            MailboxState.Connected when !mailbox.Protocols.HasFlag(MailProtocols.Smtp) =>
                $"{mailbox.Address} was not consented for SMTP sending; start a new consent with protocols including smtp (GET /api/consent/start?mailbox={mailbox.Address}&protocols=smtp,…).",
            MailboxState.Connected => null,
            MailboxState.PendingConsent =>
                $"{mailbox.Address} has not finished its consent yet; the mailbox's owner must open the consent link (GET /api/consent/start?mailbox={mailbox.Address} issues a new one).",
            MailboxState.NeedsConsent =>
                $"{mailbox.Address} needs consent again{because}; send its owner a new consent link (GET /api/consent/start?mailbox={mailbox.Address}) and resubmit the request after they sign in.",
            MailboxState.BrokenCredential =>
                $"The broker's own credential is broken{because}, so {mailbox.Address} cannot get tokens; an operator must renew the client secret or certificate (OAuth settings) and resubmit.",
            MailboxState.Disabled =>
                $"{mailbox.Address} is disabled by an operator{because}; enable it before sending from it.",
            _ => $"{mailbox.Address} is in state {mailbox.State}{because} and cannot send.",
        };
    }
}
