using TokenBroker.Store;

namespace TokenBroker.Jobs.Fetch;

/// <summary>Whether a registered mailbox can be fetched from now over a protocol, and if not, why, in words.</summary>
internal static class FetchRefusals
{
    public static string? For(Mailbox mailbox, bool imap)
    {
        var because = string.IsNullOrWhiteSpace(mailbox.StateReason) ? "" : $" ({mailbox.StateReason})";
        var protocol = imap ? MailProtocols.Imap : MailProtocols.Pop3;
        var name = imap ? "imap" : "pop3";
        return mailbox.State switch
        {
            MailboxState.Connected when !mailbox.Protocols.HasFlag(protocol) =>
                $"{mailbox.Address} was not consented for {name.ToUpperInvariant()}; start a new consent with protocols including {name} (GET /api/consent/start?mailbox={mailbox.Address}&protocols={name},…).",
            MailboxState.Connected => null,
            MailboxState.PendingConsent =>
                $"{mailbox.Address} has not finished its consent yet; the mailbox's owner must open the consent link (GET /api/consent/start?mailbox={mailbox.Address} issues a new one).",
            MailboxState.NeedsConsent =>
                $"{mailbox.Address} needs consent again{because}; send its owner a new consent link (GET /api/consent/start?mailbox={mailbox.Address}) and resubmit the request after they sign in.",
            MailboxState.BrokenCredential =>
                $"The broker's own credential is broken{because}, so {mailbox.Address} cannot get tokens; an operator must renew the client secret or certificate (OAuth settings) and resubmit.",
            MailboxState.Disabled =>
                $"{mailbox.Address} is disabled by an operator{because}; enable it before fetching from it.",
            _ => $"{mailbox.Address} is in state {mailbox.State}{because} and cannot be fetched from.",
        };
    }
}
