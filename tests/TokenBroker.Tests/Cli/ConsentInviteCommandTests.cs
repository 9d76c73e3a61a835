using TokenBroker.Cli;
using TokenBroker.Tests.Cli.Support;
using TokenBroker.Tests.Hosting.Support;
using TokenBroker.Tests.OAuth.Support;

namespace TokenBroker.Tests.Cli;

/// <summary>`tokenbroker consent invite` beside `consent MAILBOX --device-code` under the same `consent` command.</summary>
public sealed class ConsentInviteCommandTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Consent_invite_still_asks_the_running_broker_for_a_link()
    {
        await using var host = await OAuthTestHost.StartAsync();
        var mailbox = $"invite-{Guid.NewGuid():N}@{IdentityPeer.TenantDomain}";

        var (exit, output, error) = await LocalOAuthCli.RunAsync(ConsentInviteCommand.Create(),
            ["consent", "invite", mailbox, "--protocols", "imap", "--url", host.BaseUrl, "--credential", TestCredentials.MasterKey], Ct);

        Assert.True(exit == 0, output + error);
        Assert.Contains($"Send this link to whoever signs in for {mailbox}", output);
        Assert.Contains(host.BaseUrl + "/api/consent/start?invitation=", output);
    }

    [Fact]
    public async Task Consent_with_a_mailbox_but_without_device_code_says_which_command_to_use()
    {
        var (exit, _, error) = await LocalOAuthCli.RunAsync(ConsentInviteCommand.Create(), ["consent", "helpdesk@contoso.com"], Ct);

        Assert.Equal(2, exit);
        Assert.Contains("Give --device-code", error);
        Assert.Contains("tokenbroker consent invite MAILBOX", error);
    }
}
