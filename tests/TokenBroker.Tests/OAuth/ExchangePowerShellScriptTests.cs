using TokenBroker.OAuth;
using TokenBroker.Store;

namespace TokenBroker.Tests.OAuth;

public sealed class ExchangePowerShellScriptTests
{
    private const string AppId = "11111111-2222-3333-4444-555555555555";
    private const string SpId = "99999999-8888-7777-6666-555555555555";

    [Fact]
    public void The_script_registers_the_service_principal_with_the_enterprise_application_object_id()
    {
        var script = ExchangePowerShellScript.Generate(AppId, "shared@contoso.com", MailProtocols.Imap, SpId);

        Assert.Contains($"New-ServicePrincipal -AppId '{AppId}' -ObjectId '{SpId}'", script);
        Assert.Contains($"Add-MailboxPermission -Identity 'shared@contoso.com' -User '{SpId}' -AccessRights FullAccess", script);
        Assert.Contains("NOT the object id shown on the App registration page", script);
    }

    [Fact]
    public void SendAs_is_granted_only_when_SMTP_is_wanted()
    {
        Assert.DoesNotContain("Add-RecipientPermission", ExchangePowerShellScript.Generate(AppId, "a@contoso.com", MailProtocols.Imap | MailProtocols.Pop3, SpId));
        Assert.Contains($"Add-RecipientPermission -Identity 'a@contoso.com' -Trustee '{SpId}' -AccessRights SendAs",
            ExchangePowerShellScript.Generate(AppId, "a@contoso.com", MailProtocols.Smtp, SpId));
    }

    [Fact]
    public void Without_a_known_object_id_the_script_carries_a_placeholder_and_says_so()
    {
        var script = ExchangePowerShellScript.Generate(AppId, "a@contoso.com", MailProtocols.Imap, servicePrincipalObjectId: null);

        Assert.Contains($"-ObjectId '{ExchangePowerShellScript.ObjectIdPlaceholder}'", script);
        Assert.Contains("Replace", script);
    }

    [Fact]
    public void Quotes_in_values_cannot_break_out_of_the_powershell_string()
    {
        var script = ExchangePowerShellScript.Generate(AppId, "o'brien@contoso.com", MailProtocols.Imap, SpId);

        Assert.Contains("-Identity 'o''brien@contoso.com'", script);
    }
}
