using System.Net;
using System.Text.Json;
using TokenBroker.Callers;
using TokenBroker.Mail.Tokens;
using TokenBroker.OAuth;
using TokenBroker.Tests.Callers;
using TokenBroker.Tests.OAuth.Support;

namespace TokenBroker.Tests.OAuth;

/// <summary>Who gets a mailbox's access token from GET /api/mailboxes/{address}/token: only a client whose scope grants "token" on it.</summary>
public sealed class TokenEndpointAccessTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string NewUser() => $"user-{Guid.NewGuid():N}@{IdentityPeer.TenantDomain}";

    private static async Task<string> ConnectAsync(OAuthTestHost host)
    {
        var mailbox = NewUser();
        await host.Identity.SetTokenLifetimeAsync(3600);
        await host.CompleteAsync(await host.SignInAsync(mailbox));
        return mailbox;
    }

    private static HttpRequestMessage TokenRequest(string mailbox, string? bearer = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, $"/api/mailboxes/{Uri.EscapeDataString(mailbox)}/token");
        if (bearer is not null) request.Headers.Authorization = new("Bearer", bearer);
        return request;
    }

    [Fact]
    public async Task A_client_with_token_on_the_mailbox_gets_its_access_token()
    {
        await using var host = await OAuthTestHost.StartAsync();
        var mailbox = await ConnectAsync(host);
        var secret = await CallerTesting.AddClientAsync(host.Get<IClientRegistry>(), "legacy-app", mailbox, "token");

        using var response = await host.Browser.SendAsync(TokenRequest(mailbox, secret), Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct));
        Assert.Equal(mailbox, json.RootElement.GetProperty("user").GetString());
        Assert.Equal(MailScopes.ExchangeResource, AccessTokenClaims.Parse(json.RootElement.GetProperty("access_token").GetString()!).Audience);
    }

    [Fact]
    public async Task A_loopback_caller_without_a_credential_gets_401_and_no_token()
    {
        await using var host = await OAuthTestHost.StartAsync();
        var mailbox = await ConnectAsync(host);

        using var response = await host.Browser.SendAsync(TokenRequest(mailbox), Ct);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("Bearer", response.Headers.WwwAuthenticate.Single().Scheme);
        var body = await response.Content.ReadAsStringAsync(Ct);
        Assert.Contains("tokenbroker clients add", body);
        Assert.DoesNotContain("access_token", body);
    }

    [Fact]
    public async Task A_client_whose_scope_names_another_mailbox_gets_403()
    {
        await using var host = await OAuthTestHost.StartAsync();
        var mailbox = await ConnectAsync(host);
        var secret = await CallerTesting.AddClientAsync(host.Get<IClientRegistry>(), "other", NewUser(), "token");

        using var response = await host.Browser.SendAsync(TokenRequest(mailbox, secret), Ct);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Contains($"not for {mailbox}", await response.Content.ReadAsStringAsync(Ct));
    }

    [Fact]
    public async Task A_client_that_may_only_send_gets_403_for_the_token()
    {
        await using var host = await OAuthTestHost.StartAsync();
        var mailbox = await ConnectAsync(host);
        var secret = await CallerTesting.AddClientAsync(host.Get<IClientRegistry>(), "sender", "*", "send,fetch,status");

        using var response = await host.Browser.SendAsync(TokenRequest(mailbox, secret), Ct);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Contains("may not token", await response.Content.ReadAsStringAsync(Ct));
    }

    [Fact]
    public async Task A_domain_scope_covers_every_mailbox_of_that_domain()
    {
        await using var host = await OAuthTestHost.StartAsync();
        var mailbox = await ConnectAsync(host);
        var secret = await CallerTesting.AddClientAsync(host.Get<IClientRegistry>(), "domain-wide", "*@" + IdentityPeer.TenantDomain, "token");

        using var response = await host.Browser.SendAsync(TokenRequest(mailbox, secret), Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task The_client_secret_is_also_accepted_in_the_functions_key_header()
    {
        await using var host = await OAuthTestHost.StartAsync();
        var mailbox = await ConnectAsync(host);
        var secret = await CallerTesting.AddClientAsync(host.Get<IClientRegistry>(), "keyed", mailbox, "token");
        using var request = TokenRequest(mailbox);
        request.Headers.Add(CallerAuthenticator.FunctionsKeyHeader, secret);

        using var response = await host.Browser.SendAsync(request, Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task A_secret_with_one_character_changed_gets_401()
    {
        await using var host = await OAuthTestHost.StartAsync();
        var mailbox = await ConnectAsync(host);
        var secret = await CallerTesting.AddClientAsync(host.Get<IClientRegistry>(), "typo", mailbox, "token");
        var wrong = secret[..^1] + (secret[^1] == 'A' ? 'B' : 'A');

        using var response = await host.Browser.SendAsync(TokenRequest(mailbox, wrong), Ct);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task A_removed_client_is_refused()
    {
        await using var host = await OAuthTestHost.StartAsync();
        var mailbox = await ConnectAsync(host);
        var registry = host.Get<IClientRegistry>();
        var secret = await CallerTesting.AddClientAsync(registry, "gone", mailbox, "token");
        await registry.RemoveAsync("gone", Ct);

        using var response = await host.Browser.SendAsync(TokenRequest(mailbox, secret), Ct);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task The_master_key_in_the_code_query_is_not_a_credential()
    {
        await using var host = await OAuthTestHost.StartAsync();
        var mailbox = await ConnectAsync(host);

        using var response = await host.Browser.GetAsync($"/api/mailboxes/{Uri.EscapeDataString(mailbox)}/token?code={Uri.EscapeDataString(host.AdminKey)}", Ct);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task The_master_key_as_a_bearer_may_take_any_token()
    {
        await using var host = await OAuthTestHost.StartAsync();
        var mailbox = await ConnectAsync(host);

        using var response = await host.Browser.SendAsync(TokenRequest(mailbox, host.AdminKey), Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task The_token_endpoint_answers_404_for_an_unknown_mailbox_and_409_for_one_needing_consent()
    {
        await using var host = await OAuthTestHost.StartAsync();
        var pending = NewUser();
        await host.StartConsentAsync(pending);

        using var unknownResponse = await host.Browser.SendAsync(TokenRequest(NewUser(), host.AdminKey), Ct);
        using var waitingResponse = await host.Browser.SendAsync(TokenRequest(pending, host.AdminKey), Ct);

        Assert.Equal(HttpStatusCode.NotFound, unknownResponse.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, waitingResponse.StatusCode);
        Assert.Contains("has not been completed", await waitingResponse.Content.ReadAsStringAsync(Ct));
    }
}
