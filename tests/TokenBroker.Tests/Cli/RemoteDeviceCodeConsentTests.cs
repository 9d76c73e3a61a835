using TokenBroker.Callers;
using TokenBroker.Cli;
using TokenBroker.Store;
using TokenBroker.Tests.Callers;
using TokenBroker.Tests.Cli.Support;
using TokenBroker.Tests.Hosting.Support;
using TokenBroker.Tests.OAuth.Support;

namespace TokenBroker.Tests.Cli;

/// <summary>
/// `tokenbroker consent MAILBOX --device-code --url URL`: the running broker runs the device flow (POST
/// /api/consent/device, then polls) for a caller with "admin" on the mailbox; the CLI holds no OAuth setting at all.
/// </summary>
public sealed class RemoteDeviceCodeConsentTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private static string NewUser() => $"remote-{Guid.NewGuid():N}@{IdentityPeer.TenantDomain}";

    private static Task<(int Exit, string Output, string Error)> ConsentAsync(OAuthTestHost host, string mailbox, string credential) =>
        LocalOAuthCli.RunAsync(ConsentInviteCommand.Create(),
            ["consent", mailbox, "--device-code", "--protocols", "imap,smtp", "--timeout", "00:01:00", "--url", host.BaseUrl, "--credential", credential], Ct);

    [Fact]
    public async Task The_running_broker_runs_the_device_flow_and_connects_the_mailbox_once_someone_signs_in()
    {
        await using var host = await OAuthTestHost.StartAsync();
        var mailbox = NewUser();

        var run = ConsentAsync(host, mailbox, TestCredentials.MasterKey);
        for (var attempt = 0; attempt < 300 && !await host.Identity.ApproveDeviceCodeAsync(mailbox); attempt++)
            await Task.Delay(100, Ct);
        var (exit, output, error) = await run;

        Assert.True(exit == 0, output + error);
        Assert.Contains($"{IdentityPeer.Url}/devicelogin", output);
        Assert.Contains("Mailbox connected", output);
        var saved = (await host.Registry.GetAsync(mailbox, Ct))!.Value;
        Assert.Equal(MailboxState.Connected, saved.State);
        Assert.Equal(IdentityIds.HomeAccountIdOf(mailbox), saved.HomeAccountId);
        Assert.Equal(mailbox, (await host.Tokens.GetAccessTokenAsync(mailbox, Ct)).User);
    }

    [Fact]
    public async Task A_sign_in_by_another_account_is_refused_in_the_callbacks_words_and_stores_nothing()
    {
        await using var host = await OAuthTestHost.StartAsync();
        var mailbox = NewUser();
        await host.Identity.AutoApproveDeviceCodesAsync(NewUser());

        var (exit, output, error) = await ConsentAsync(host, mailbox, TestCredentials.MasterKey);

        Assert.True(exit == 1, output + error);
        Assert.Contains("Signed in with the wrong account", error);
        Assert.Null(await host.Registry.GetAsync(mailbox, Ct));
    }

    [Fact]
    public async Task A_caller_without_admin_on_the_mailbox_cannot_start_it()
    {
        await using var host = await OAuthTestHost.StartAsync();
        var mailbox = NewUser();
        var secret = await CallerTesting.AddClientAsync(host.Get<IClientRegistry>(), "sender", mailbox, "send,status");

        var (exit, output, error) = await ConsentAsync(host, mailbox, secret);

        Assert.True(exit == 1, output + error);
        Assert.Contains("The broker refused (403)", error);
        Assert.Equal(0, await host.Identity.TokenRequestCountAsync("refresh_token"));
        Assert.Null(await host.Registry.GetAsync(mailbox, Ct));
    }
}
