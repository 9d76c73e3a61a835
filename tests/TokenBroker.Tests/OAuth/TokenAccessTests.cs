using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using TokenBroker.Mail.Tokens;
using TokenBroker.OAuth;
using TokenBroker.Store;
using TokenBroker.Tests.OAuth.Support;
using Microsoft.Extensions.DependencyInjection;

namespace TokenBroker.Tests.OAuth;

/// <summary>Token access after consent: the provider, its failures, and the token endpoint's access rules.</summary>
public sealed class TokenAccessTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private static string NewUser() => $"user-{Guid.NewGuid():N}@{IdentityPeer.TenantDomain}";

    private static async Task<string> ConnectAsync(OAuthTestHost host, int tokenLifetimeSeconds = 3600)
    {
        var mailbox = NewUser();
        await host.Identity.SetTokenLifetimeAsync(tokenLifetimeSeconds);
        var (status, page) = await host.CompleteAsync(await host.SignInAsync(mailbox, "imap,smtp"));
        Assert.True(status == HttpStatusCode.OK, page);
        return mailbox;
    }

    [Fact]
    public async Task A_refresh_refused_with_invalid_grant_marks_the_mailbox_NeedsConsent_with_the_reason_in_words()
    {
        await using var host = await OAuthTestHost.StartAsync();
        var mailbox = await ConnectAsync(host, tokenLifetimeSeconds: 120);
        await host.Identity.FailNextTokenCallAsync("refresh_token", "invalid_grant", errorCode: 700082);

        var error = await Assert.ThrowsAsync<MailboxTokenUnavailableException>(() => host.Tokens.GetAccessTokenAsync(mailbox, Ct));

        Assert.Equal(TokenFailureKind.NeedsConsent, error.Failure.Kind);
        Assert.Equal(700082, error.Failure.AadstsCode);
        var saved = (await host.Registry.GetAsync(mailbox, Ct))!.Value;
        Assert.Equal(MailboxState.NeedsConsent, saved.State);
        Assert.Contains("not used for too long", saved.StateReason);
        Assert.Equal(MailboxState.NeedsConsent, error.State);
    }

    [Fact]
    public async Task A_mailbox_that_needs_consent_is_not_sent_to_the_identity_provider_again()
    {
        await using var host = await OAuthTestHost.StartAsync();
        var mailbox = await ConnectAsync(host, tokenLifetimeSeconds: 120);
        await host.Identity.FailNextTokenCallAsync("refresh_token", "invalid_grant", errorCode: 50173);
        await Assert.ThrowsAsync<MailboxTokenUnavailableException>(() => host.Tokens.GetAccessTokenAsync(mailbox, Ct));

        var again = await Assert.ThrowsAsync<MailboxTokenUnavailableException>(() => host.Tokens.GetAccessTokenAsync(mailbox, Ct));

        Assert.Equal(TokenFailureKind.NeedsConsent, again.Failure.Kind);
        Assert.Equal(1, await host.Identity.TokenRequestCountAsync("refresh_token"));
    }

    [Fact]
    public async Task A_server_error_on_refresh_is_transient_and_keeps_the_mailbox_connected()
    {
        await using var host = await OAuthTestHost.StartAsync();
        var mailbox = await ConnectAsync(host, tokenLifetimeSeconds: 120);
        // MSAL retries a 5xx once by itself; both attempts fail.
        await host.Identity.FailNextTokenCallAsync("refresh_token", "temporarily_unavailable", status: 503, count: 2);

        var error = await Assert.ThrowsAsync<MailboxTokenUnavailableException>(() => host.Tokens.GetAccessTokenAsync(mailbox, Ct));

        Assert.Equal(TokenFailureKind.Transient, error.Failure.Kind);
        var saved = (await host.Registry.GetAsync(mailbox, Ct))!.Value;
        Assert.Equal(MailboxState.Connected, saved.State);
        Assert.NotNull(saved.LastError);
    }

    [Fact]
    public async Task A_broken_client_secret_marks_the_mailbox_BrokenCredential()
    {
        await using var host = await OAuthTestHost.StartAsync();
        var mailbox = await ConnectAsync(host, tokenLifetimeSeconds: 120);
        await host.Identity.FailNextTokenCallAsync("refresh_token", "invalid_client", errorCode: 7000222, status: 401);

        var error = await Assert.ThrowsAsync<MailboxTokenUnavailableException>(() => host.Tokens.GetAccessTokenAsync(mailbox, Ct));

        Assert.Equal(TokenFailureKind.BrokenCredential, error.Failure.Kind);
        Assert.Equal(MailboxState.BrokenCredential, (await host.Registry.GetAsync(mailbox, Ct))!.Value.State);
    }

    [Fact]
    public async Task Consent_start_asks_for_the_protocol_scopes_with_pkce_login_hint_and_signed_state()
    {
        await using var host = await OAuthTestHost.StartAsync();
        var mailbox = NewUser();

        var authorize = await host.StartConsentAsync(mailbox, "pop,smtp");

        var query = System.Web.HttpUtility.ParseQueryString(authorize.Query);
        var scopes = query["scope"]!.Split(' ');
        Assert.Contains("https://outlook.office.com/POP.AccessAsUser.All", scopes);
        Assert.Contains("https://outlook.office.com/SMTP.Send", scopes);
        Assert.DoesNotContain("https://outlook.office.com/IMAP.AccessAsUser.All", scopes);
        Assert.Contains("offline_access", scopes);
        Assert.Equal("S256", query["code_challenge_method"]);
        Assert.Equal(mailbox, query["login_hint"]);
        Assert.Single(query.GetValues("state")!);
        var saved = (await host.Registry.GetAsync(mailbox, Ct))!.Value;
        Assert.Equal(MailboxState.PendingConsent, saved.State);
        Assert.NotNull(saved.PendingConsent);
        Assert.DoesNotContain(saved.PendingConsent.CodeVerifier, authorize.AbsoluteUri);
    }

    [Fact]
    public async Task Consent_start_with_a_broken_configuration_names_the_setting()
    {
        await using var host = await OAuthTestHost.StartAsync(configureServices: services =>
            services.PostConfigure<OAuthOptions>(o => o.ClientId = null));

        using var response = await host.Browser.GetAsync("/api/consent/start?invitation=x", Ct);

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        var page = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(page.Contains("OAuth:ClientId is missing", StringComparison.Ordinal), page);
        Assert.DoesNotContain(host.ClientSecret, page);
    }

    [Fact]
    public async Task Admin_consent_redirects_to_the_tenants_adminconsent_page()
    {
        await using var host = await OAuthTestHost.StartAsync();

        using var response = await host.Browser.GetAsync("/api/consent/admin", Ct);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var location = response.Headers.Location!;
        Assert.StartsWith($"{IdentityPeer.Url}/{host.Tenant}/v2.0/adminconsent?", location.AbsoluteUri);
        var query = System.Web.HttpUtility.ParseQueryString(location.Query);
        Assert.Equal(host.Identity.ClientId, query["client_id"]);
        Assert.Equal(host.BaseUrl + "/api/consent/callback", query["redirect_uri"]);
    }
}
