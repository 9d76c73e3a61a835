using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using TokenBroker.Mail.Tokens;
using TokenBroker.OAuth;
using TokenBroker.Store;
using TokenBroker.Tests.OAuth.Support;

namespace TokenBroker.Tests.OAuth;

/// <summary>App-only (client credentials) mailboxes against the real identity server.</summary>
public sealed class AppOnlyTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private static string NewMailbox() => $"shared-{Guid.NewGuid():N}@{IdentityPeer.TenantDomain}";

    [Fact]
    public async Task Registering_app_only_stores_the_mailbox_connected_with_the_granted_roles_and_the_app_cache()
    {
        await using var host = await OAuthTestHost.StartAsync();
        var mailbox = NewMailbox();

        using var response = await host.Admin.PostAsJsonAsync("/api/mailboxes/app-only",
            new { mailbox, tenant = host.Tenant, protocols = "imap,smtp" }, Ct);

        var body = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        var saved = (await host.Registry.GetAsync(mailbox, Ct))!.Value;
        Assert.Equal(MailboxMode.AppOnly, saved.Mode);
        Assert.Equal(MailboxState.Connected, saved.State);
        Assert.Contains("IMAP.AccessAsApp", saved.GrantedScopes);
        Assert.Contains("SMTP.SendAsApp", saved.GrantedScopes);
        Assert.NotNull(await host.TokenCaches.ReadAsync($"{host.Identity.ClientId}_{host.Tenant}_AppTokenCache", Ct));
        Assert.Equal(1, await host.Identity.TokenRequestCountAsync("client_credentials"));
    }

    [Fact]
    public async Task The_registration_answer_carries_the_exchange_powershell_with_the_service_principal_object_id()
    {
        await using var host = await OAuthTestHost.StartAsync();
        var mailbox = NewMailbox();

        var result = await host.Get<AppOnlyRegistration>().RegisterAsync(mailbox, host.Tenant, MailProtocols.Imap | MailProtocols.Smtp, Ct);

        var token = await host.Tokens.GetAccessTokenAsync(mailbox, Ct);
        var servicePrincipal = AccessTokenClaims.Parse(token.AccessToken).ObjectId!;
        Assert.Contains($"New-ServicePrincipal -AppId '{host.Identity.ClientId}' -ObjectId '{servicePrincipal}'", result.ExchangePowerShell);
        Assert.Contains($"Add-MailboxPermission -Identity '{mailbox}' -User '{servicePrincipal}' -AccessRights FullAccess", result.ExchangePowerShell);
        Assert.Contains("Add-RecipientPermission", result.ExchangePowerShell);
    }

    [Fact]
    public async Task An_app_only_token_has_roles_and_the_mailbox_as_sasl_user()
    {
        await using var host = await OAuthTestHost.StartAsync();
        var mailbox = NewMailbox();
        await host.Get<AppOnlyRegistration>().RegisterAsync(mailbox, host.Tenant, MailProtocols.Imap, Ct);

        var token = await host.Tokens.GetAccessTokenAsync(mailbox, Ct);

        Assert.Equal(mailbox, token.User);
        var claims = AccessTokenClaims.Parse(token.AccessToken);
        Assert.Contains("IMAP.AccessAsApp", claims.Roles);
        Assert.Empty(claims.Scopes);
        // The registration's check, then this instance's own token: app-only tokens live in each instance's memory.
        Assert.Equal(2, await host.Identity.TokenRequestCountAsync("client_credentials"));
    }

    [Fact]
    public async Task A_broken_client_secret_refuses_the_registration_naming_the_setting()
    {
        await using var host = await OAuthTestHost.StartAsync();
        await host.Identity.FailNextTokenCallAsync("client_credentials", "invalid_client", errorCode: 7000215, status: 401);

        using var response = await host.Admin.PostAsJsonAsync("/api/mailboxes/app-only", new { mailbox = NewMailbox(), protocols = "imap" }, Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct));
        Assert.Contains("OAuth:ClientSecret", json.RootElement.GetProperty("detail").GetString());
    }
}
