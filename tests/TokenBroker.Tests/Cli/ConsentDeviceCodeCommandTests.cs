using TokenBroker.Cli;
using TokenBroker.OAuth;
using TokenBroker.Store;
using TokenBroker.Tests.Cli.Support;
using TokenBroker.Tests.OAuth.Support;

namespace TokenBroker.Tests.Cli;

/// <summary>
/// `tokenbroker consent MAILBOX --device-code` on the broker's machine, against the identity server's device flow
/// (devicecode endpoint, device_code grant answering authorization_pending until the code is approved).
/// </summary>
public sealed class ConsentDeviceCodeCommandTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private static string NewUser() => $"device-{Guid.NewGuid():N}@{IdentityPeer.TenantDomain}";

    private static Task<(int Exit, string Output, string Error)> ConsentAsync(OAuthTestHost host, string mailbox, IEnumerable<string>? settings = null, params string[] extra) =>
        LocalOAuthCli.RunAsync(ConsentInviteCommand.Create(),
            ["consent", mailbox, "--device-code", "--protocols", "imap,smtp", "--timeout", "00:01:00", .. extra, .. settings ?? LocalOAuthCli.SettingsOf(host)], Ct);

    /// <summary>Someone enters the code once the command has printed it (the identity server's approval, as its page would give).</summary>
    private static async Task ApproveWhenShownAsync(OAuthTestHost host, string user, bool decline = false)
    {
        for (var attempt = 0; attempt < 300; attempt++)
        {
            if (await host.Identity.ApproveDeviceCodeAsync(user, decline)) return;
            await Task.Delay(100, Ct);
        }
        Assert.Fail("No device code was requested.");
    }

    [Fact]
    public async Task Device_code_consent_prints_the_address_and_code_then_connects_the_mailbox_once_someone_signs_in()
    {
        await using var host = await OAuthTestHost.StartAsync();
        var mailbox = NewUser();

        var run = ConsentAsync(host, mailbox);
        await ApproveWhenShownAsync(host, mailbox);
        var (exit, output, error) = await run;

        Assert.True(exit == 0, output + error);
        Assert.Contains($"{IdentityPeer.Url}/devicelogin", output);
        Assert.Matches("enters the code [A-Z]{9}", output);
        Assert.Contains("Mailbox connected", output);
        var saved = (await host.Registry.GetAsync(mailbox, Ct))!.Value;
        Assert.Equal(MailboxState.Connected, saved.State);
        Assert.Equal(MailProtocols.Imap | MailProtocols.Smtp, saved.Protocols);
        Assert.Equal(IdentityIds.HomeAccountIdOf(mailbox), saved.HomeAccountId);
        Assert.Contains("SMTP.Send", saved.GrantedScopes);
        Assert.NotNull(await host.TokenCaches.ReadAsync(saved.HomeAccountId!, Ct));
    }

    [Fact]
    public async Task A_mailbox_connected_by_device_code_records_that_its_refresh_token_is_a_public_clients()
    {
        await using var host = await OAuthTestHost.StartAsync();
        var mailbox = NewUser();
        await host.Identity.AutoApproveDeviceCodesAsync(mailbox);

        var (exit, output, error) = await ConsentAsync(host, mailbox);

        Assert.True(exit == 0, output + error);
        Assert.Equal(MailboxClientKind.Public, (await host.Registry.GetAsync(mailbox, Ct))!.Value.ClientKind);
    }

    [Fact]
    public async Task A_mailbox_connected_by_device_code_is_kept_alive_by_redeeming_its_refresh_token_as_a_public_client()
    {
        await using var host = await OAuthTestHost.StartAsync();
        var mailbox = NewUser();
        await host.Identity.AutoApproveDeviceCodesAsync(mailbox);
        var (exit, output, error) = await ConsentAsync(host, mailbox);
        Assert.True(exit == 0, output + error);
        var connected = (await host.Registry.GetAsync(mailbox, Ct))!;

        // The identity server refuses a public client's refresh token presented with the secret (AADSTS700025).
        var token = await host.Tokens.KeepAliveAsync(connected, Ct);

        Assert.Equal(mailbox, token.User);
        Assert.Equal(1, await host.Identity.TokenRequestCountAsync("refresh_token"));
        var kept = (await host.Registry.GetAsync(mailbox, Ct))!.Value;
        Assert.Equal(MailboxState.Connected, kept.State);
        Assert.Null(kept.LastError);
        Assert.Equal(MailboxClientKind.Public, kept.ClientKind);
    }

    [Fact]
    public async Task A_mailbox_connected_by_device_code_gets_on_demand_access_tokens_from_its_public_clients_refresh_token()
    {
        await using var host = await OAuthTestHost.StartAsync();
        var mailbox = NewUser();
        // Two minutes is "near expiry" for MSAL: the broker's first token request must redeem the stored refresh token.
        await host.Identity.SetTokenLifetimeAsync(120);
        await host.Identity.AutoApproveDeviceCodesAsync(mailbox);
        var (exit, output, error) = await ConsentAsync(host, mailbox);
        Assert.True(exit == 0, output + error);
        await host.Identity.SetTokenLifetimeAsync(3600);

        var token = await host.Tokens.GetAccessTokenAsync(mailbox, Ct);

        Assert.Equal(1, await host.Identity.TokenRequestCountAsync("refresh_token"));
        Assert.True(token.ExpiresOn > DateTimeOffset.UtcNow.AddMinutes(30));
        Assert.Equal(mailbox, token.User);
    }

    [Fact]
    public async Task A_device_code_sign_in_by_another_account_is_refused_in_the_callbacks_words_and_stores_nothing()
    {
        await using var host = await OAuthTestHost.StartAsync();
        var mailbox = NewUser();
        await host.Identity.AutoApproveDeviceCodesAsync(NewUser());

        var (exit, output, error) = await ConsentAsync(host, mailbox);

        Assert.True(exit == 1, output + error);
        Assert.Contains("Signed in with the wrong account", error);
        Assert.Contains($"this link was for {mailbox}", error);
        Assert.Null(await host.Registry.GetAsync(mailbox, Ct));
    }

    [Fact]
    public async Task A_declined_device_code_stores_nothing_and_says_the_sign_in_was_declined()
    {
        await using var host = await OAuthTestHost.StartAsync();
        var mailbox = NewUser();

        var run = ConsentAsync(host, mailbox);
        await ApproveWhenShownAsync(host, mailbox, decline: true);
        var (exit, output, error) = await run;

        Assert.True(exit == 1, output + error);
        Assert.Contains("The sign-in was declined", error);
        Assert.Null(await host.Registry.GetAsync(mailbox, Ct));
    }

    [Fact]
    public async Task Nobody_signing_in_before_the_timeout_ends_the_wait_with_exit_code_1_and_stores_nothing()
    {
        await using var host = await OAuthTestHost.StartAsync();
        var mailbox = NewUser();

        var (exit, output, error) = await LocalOAuthCli.RunAsync(ConsentInviteCommand.Create(),
            ["consent", mailbox, "--device-code", "--timeout", "00:00:02", .. LocalOAuthCli.SettingsOf(host)], Ct);

        Assert.True(exit == 1, output + error);
        Assert.Contains("Nobody signed in within 00:00:02", error);
        Assert.Null(await host.Registry.GetAsync(mailbox, Ct));
    }

    [Fact]
    public async Task Reconnecting_a_mailbox_that_needs_consent_puts_mailbox_recovered_on_broker_events()
    {
        await using var host = await OAuthTestHost.StartAsync();
        var mailbox = NewUser();
        await host.Identity.AutoApproveDeviceCodesAsync(mailbox);
        Assert.Equal(0, (await ConsentAsync(host, mailbox)).Exit);
        // The refresh token dies (inactivity): the keep-alive marks the mailbox NeedsConsent.
        await host.Identity.FailNextTokenCallAsync("refresh_token", "invalid_grant", 700082);
        await Assert.ThrowsAsync<MailboxTokenUnavailableException>(async () => await host.Tokens.KeepAliveAsync((await host.Registry.GetAsync(mailbox, Ct))!, Ct));
        var needing = (await host.Registry.GetAsync(mailbox, Ct))!.Value;
        Assert.Equal(MailboxState.NeedsConsent, needing.State);

        var (exit, output, error) = await ConsentAsync(host, mailbox);

        Assert.True(exit == 0, output + error);
        var recovered = Assert.Single(await BrokerEventsQueue.ReadAsync(host.DataDirectory, Ct), e => e.Type == "mailbox.recovered");
        Assert.Equal(mailbox, recovered.Mailbox);
        Assert.Equal("NeedsConsent", recovered.From);
        Assert.Equal("Connected", recovered.To);
        Assert.StartsWith(DeviceCodeConsent.How, recovered.Reason);
        Assert.Contains(needing.StateReason!.TrimEnd('.'), recovered.Reason);
    }

    [Fact]
    public async Task Without_the_trusted_ca_setting_it_says_the_identity_providers_certificate_is_not_trusted()
    {
        await using var host = await OAuthTestHost.StartAsync();
        var mailbox = NewUser();

        var (exit, output, error) = await ConsentAsync(host, mailbox, LocalOAuthCli.SettingsOf(host, trustTestCa: false));

        Assert.True(exit == 1, output + error);
        Assert.Contains("The identity provider's certificate is not trusted", error);
        Assert.Contains("OAuth:TrustedCaFile", error);
        Assert.Null(await host.Registry.GetAsync(mailbox, Ct));
    }

    [Fact]
    public async Task An_identity_provider_that_does_not_answer_is_named_as_unreachable()
    {
        await using var host = await OAuthTestHost.StartAsync();
        var closedPort = TokenBroker.Tests.Hosting.Support.PublishedBroker.FreePort();

        var (exit, output, error) = await ConsentAsync(host, NewUser(), LocalOAuthCli.SettingsOf(host, authorityHost: $"https://127.0.0.1:{closedPort}"));

        Assert.True(exit == 1, output + error);
        Assert.Contains("The identity provider cannot be reached", error);
        Assert.Contains("OAuth:AuthorityHost", error);
    }
}
