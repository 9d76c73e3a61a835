using System.Net;
using Microsoft.Extensions.DependencyInjection;
using TokenBroker.Callers;
using TokenBroker.Tests.Callers;
using TokenBroker.Tests.Hosting.Support;
using TokenBroker.Tests.Jobs.Mail.Support;

namespace TokenBroker.Tests.Dashboard;

/// <summary>The dashboard's sign-in, session cookie, CSRF check and headers, over plain HTTP (no browser needed).</summary>
public sealed class DashboardSecurityTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task<RunningBroker> StartAsync(string purpose)
    {
        var (settings, data) = MailBrokerPeers.NewBroker(purpose);
        return await MailBrokerPeers.StartAsync(settings, data);
    }

    /// <summary>A cookie-keeping client that fetched the sign-in form; its CSRF token.</summary>
    private static async Task<(HttpClient Client, string Token)> SignInFormAsync(RunningBroker broker)
    {
        var client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, CookieContainer = new CookieContainer() }) { BaseAddress = broker.Client.BaseAddress };
        var form = await client.GetStringAsync("/api/dashboard", Ct);
        return (client, HiddenValue(form, "csrf"));
    }

    private static string HiddenValue(string page, string name)
    {
        var marker = $"name=\"{name}\" value=\"";
        var start = page.IndexOf(marker, StringComparison.Ordinal);
        Assert.True(start >= 0, $"no hidden field {name} in the page");
        start += marker.Length;
        return WebUtility.HtmlDecode(page[start..page.IndexOf('"', start)]);
    }

    private static Task<HttpResponseMessage> PostFormAsync(HttpClient client, string path, params (string, string)[] fields) =>
        client.PostAsync(path, new FormUrlEncodedContent(fields.Select(f => new KeyValuePair<string, string>(f.Item1, f.Item2))), Ct);

    [Fact]
    public async Task Signing_in_sets_an_httponly_samesite_strict_cookie_that_holds_no_secret()
    {
        await using var broker = await StartAsync("dash-cookie");
        var (client, token) = await SignInFormAsync(broker);
        using var _ = client;

        using var response = await PostFormAsync(client, "/api/dashboard/signin", ("csrf", token), ("credential", TestCredentials.MasterKey));

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var cookie = response.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("tb_dashboard=", StringComparison.Ordinal));
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(TestCredentials.MasterKey, cookie, StringComparison.Ordinal);
        Assert.Contains("Mailboxes", await client.GetStringAsync("/api/dashboard", Ct), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_form_without_the_sessions_csrf_token_is_refused()
    {
        await using var broker = await StartAsync("dash-csrf");
        var (client, token) = await SignInFormAsync(broker);
        using var _ = client;
        (await PostFormAsync(client, "/api/dashboard/signin", ("csrf", token), ("credential", TestCredentials.MasterKey))).Dispose();

        using var response = await PostFormAsync(client, "/api/dashboard/disable", ("csrf", "forged"), ("mailbox", "someone@tokenbroker.test"));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Contains("CSRF", await response.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_client_without_admin_cannot_sign_in()
    {
        await using var broker = await StartAsync("dash-no-admin");
        var secret = await CallerTesting.AddClientAsync(broker.Services.GetRequiredService<IClientRegistry>(), "reader", "*", "status");
        var (client, token) = await SignInFormAsync(broker);
        using var _ = client;

        using var response = await PostFormAsync(client, "/api/dashboard/signin", ("csrf", token), ("credential", secret));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Contains("lack admin", await response.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_dashboard_lists_only_the_mailboxes_the_signed_in_client_covers()
    {
        await using var broker = await StartAsync("dash-scope");
        var mine = TokenBroker.Testing.Maildir.UniqueAddress("dash-scope-mine");
        var other = TokenBroker.Testing.Maildir.UniqueAddress("dash-scope-other");
        await MailBrokerPeers.ConsentAsync(broker.Client.BaseAddress!, mine, Ct, "imap");
        await MailBrokerPeers.ConsentAsync(broker.Client.BaseAddress!, other, Ct, "imap");
        var secret = await CallerTesting.AddClientAsync(broker.Services.GetRequiredService<IClientRegistry>(), "mine-admin", mine, "admin,status");
        var (client, token) = await SignInFormAsync(broker);
        using var _ = client;
        (await PostFormAsync(client, "/api/dashboard/signin", ("csrf", token), ("credential", secret))).Dispose();

        var page = await client.GetStringAsync("/api/dashboard", Ct);

        Assert.Contains(mine, page, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(other, page, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Acting_on_a_mailbox_outside_the_clients_scope_is_refused()
    {
        await using var broker = await StartAsync("dash-scope-act");
        var other = TokenBroker.Testing.Maildir.UniqueAddress("dash-scope-act");
        await MailBrokerPeers.ConsentAsync(broker.Client.BaseAddress!, other, Ct, "imap");
        var secret = await CallerTesting.AddClientAsync(broker.Services.GetRequiredService<IClientRegistry>(), "narrow", "someone-else@tokenbroker.test", "admin,status");
        var (client, token) = await SignInFormAsync(broker);
        using var _ = client;
        (await PostFormAsync(client, "/api/dashboard/signin", ("csrf", token), ("credential", secret))).Dispose();
        var csrf = HiddenValue(await client.GetStringAsync("/api/dashboard", Ct), "csrf");

        using var response = await PostFormAsync(client, "/api/dashboard/disable", ("csrf", csrf), ("mailbox", other));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("may not administer", await response.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        Assert.Equal(TokenBroker.Store.MailboxState.Connected,
            (await broker.Services.GetRequiredService<TokenBroker.Store.IMailboxRegistry>().GetAsync(other, Ct))!.Value.State);
    }

    [Fact]
    public async Task Removing_the_client_ends_its_dashboard_session()
    {
        await using var broker = await StartAsync("dash-revoked");
        var clients = broker.Services.GetRequiredService<IClientRegistry>();
        var secret = await CallerTesting.AddClientAsync(clients, "operator", "*", "admin,status");
        var (client, token) = await SignInFormAsync(broker);
        using var _ = client;
        (await PostFormAsync(client, "/api/dashboard/signin", ("csrf", token), ("credential", secret))).Dispose();
        Assert.Contains("Sign out", await client.GetStringAsync("/api/dashboard", Ct), StringComparison.Ordinal);

        Assert.True(await clients.RemoveAsync("operator", Ct));

        Assert.Contains("Client secret or master key", await client.GetStringAsync("/api/dashboard", Ct), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Every_dashboard_answer_has_a_strict_content_security_policy()
    {
        await using var broker = await StartAsync("dash-csp");
        using var client = broker.AnonymousClient();

        using var page = await client.GetAsync("/api/dashboard", Ct);
        using var root = await new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }).GetAsync(new Uri(broker.Client.BaseAddress!, "/"), Ct);

        var policy = string.Join(";", page.Headers.GetValues("Content-Security-Policy"));
        Assert.StartsWith("default-src 'none'", policy, StringComparison.Ordinal);
        Assert.DoesNotContain("unsafe-inline", policy, StringComparison.Ordinal);
        Assert.Contains("frame-ancestors 'none'", policy, StringComparison.Ordinal);
        Assert.Equal("/api/dashboard", root.Headers.Location?.OriginalString);
        Assert.True(root.Headers.Contains("Content-Security-Policy"));
    }
}
