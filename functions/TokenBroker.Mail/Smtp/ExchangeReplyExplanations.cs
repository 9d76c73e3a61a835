namespace TokenBroker.Mail.Smtp;

/// <summary>
/// Plain-language meaning of the Exchange Online (smtp.office365.com) replies an operator has to act on.
/// Matched on code + enhanced status (and text where Exchange reuses a status), so other servers'
/// replies get no misleading explanation.
/// </summary>
public static class ExchangeReplyExplanations
{
    public static string? Explain(SmtpReply reply)
    {
        var status = reply.EnhancedStatus;
        var text = reply.Text;
        return (reply.Code, status) switch
        {
            (432, "4.3.2") =>
                "Exchange Online allows 3 concurrent SMTP connections per mailbox; another client holds them. Retry later with fewer parallel connections.",
            (554, "5.2.0") when text.Contains("STOREDRV", StringComparison.OrdinalIgnoreCase) =>
                "The mailbox reached Exchange Online's sending limit (10,000 recipients per day, 30 messages per minute); sending resumes when the rolling 24-hour window frees up.",
            (550, "5.2.251" or "5.2.252" or "5.2.253" or "5.2.254" or "5.2.255") =>
                "Exchange Online is throttling this mailbox after continuous errors or too many messages; back off and retry later (hours, not seconds).",
            (535, "5.7.139") =>
                "SMTP AUTH (client authentication) is disabled for this tenant or mailbox. Enable it per mailbox with " +
                "'Set-CASMailbox -Identity <mailbox> -SmtpClientAuthenticationDisabled $false' (overrides the tenant), or tenant-wide with " +
                "'Set-TransportConfig -SmtpClientAuthenticationDisabled $false'; Security Defaults keep it off, so use Conditional Access instead.",
            (535, "5.7.3") =>
                "Exchange Online refused the token. Check: audience https://outlook.office.com (a Graph token is refused); scope SMTP.Send " +
                "(delegated) or role SMTP.SendAsApp (app-only, with New-ServicePrincipal using the Enterprise Application's object id and " +
                "SendAs/FullAccess granted); admin consent given; the SASL user is the mailbox's SMTP address; the token has not expired.",
            (_, "5.7.60") =>
                "The authenticated identity may not send as this From address: grant SendAs ('Add-RecipientPermission <mailbox> -AccessRights SendAs -Trustee <user>') or send from the authenticated mailbox.",
            (_, "5.7.57") =>
                "The client was not authenticated when it tried to send; authenticate before MAIL FROM.",
            _ => null,
        };
    }
}
