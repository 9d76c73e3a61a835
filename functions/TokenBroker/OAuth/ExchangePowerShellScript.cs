using System.Text;
using TokenBroker.Store;

namespace TokenBroker.OAuth;

/// <summary>
/// The Exchange Online PowerShell an administrator runs once so that the broker's app-only tokens may open
/// a mailbox: register the service principal in Exchange, then grant it the mailbox.
/// </summary>
public static class ExchangePowerShellScript
{
    public const string ObjectIdPlaceholder = "<ENTERPRISE-APPLICATION-OBJECT-ID>";

    /// <param name="servicePrincipalObjectId">
    /// The enterprise application's object id in the mailbox's tenant; an app-only token's "oid" claim is exactly
    /// that. Null leaves a placeholder for the administrator to fill in.
    /// </param>
    public static string Generate(string clientId, string mailboxAddress, MailProtocols protocols, string? servicePrincipalObjectId, string displayName = "TokenBroker")
    {
        var objectId = servicePrincipalObjectId ?? ObjectIdPlaceholder;
        var script = new StringBuilder()
            .AppendLine("# Run in Exchange Online PowerShell as an Exchange administrator:")
            .AppendLine("#   Install-Module ExchangeOnlineManagement; Connect-ExchangeOnline")
            .AppendLine("#")
            .AppendLine("# -ObjectId must be the object id of the ENTERPRISE APPLICATION (the service principal, Entra admin center >")
            .AppendLine("# Enterprise applications > the app > Object ID), NOT the object id shown on the App registration page.")
            .AppendLine("# Both pages show an \"Object ID\"; using the app registration's one creates a principal that never matches the")
            .AppendLine("# token, and IMAP/POP/SMTP then answer \"AUTHENTICATE failed\" / 535 although every permission looks granted.");
        if (servicePrincipalObjectId is not null)
            script.AppendLine("# The id below is the \"oid\" claim of an app-only token the broker just received: it is the enterprise application's.");
        else
            script.AppendLine($"# Replace {ObjectIdPlaceholder} below before running.");
        script.AppendLine()
            .AppendLine($"New-ServicePrincipal -AppId {Quote(clientId)} -ObjectId {Quote(objectId)} -DisplayName {Quote(displayName)}")
            .AppendLine($"Add-MailboxPermission -Identity {Quote(mailboxAddress)} -User {Quote(objectId)} -AccessRights FullAccess");
        if (protocols.HasFlag(MailProtocols.Smtp))
            script.AppendLine($"Add-RecipientPermission -Identity {Quote(mailboxAddress)} -Trustee {Quote(objectId)} -AccessRights SendAs -Confirm:$false");
        if (protocols.HasFlag(MailProtocols.Smtp))
            script.AppendLine()
                .AppendLine("# SMTP AUTH must also be enabled for the mailbox (Security Defaults turn it off tenant-wide):")
                .AppendLine($"Set-CASMailbox -Identity {Quote(mailboxAddress)} -SmtpClientAuthenticationDisabled $false");
        return script.ToString();
    }

    /// <summary>A PowerShell single-quoted string: nothing inside is expanded; a quote is doubled.</summary>
    private static string Quote(string value) => "'" + value.Replace("'", "''", StringComparison.Ordinal)
        .Replace("\u2018", "\u2018\u2018", StringComparison.Ordinal).Replace("\u2019", "\u2019\u2019", StringComparison.Ordinal) + "'";
}
