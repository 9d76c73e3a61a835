using System.CommandLine;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using TokenBroker.Callers;
using TokenBroker.Cli;
using TokenBroker.Jobs.Status;
using TokenBroker.OAuth;
using TokenBroker.Store;
using TokenBroker.Tests.Callers;
using TokenBroker.Tests.Hosting.Support;
using TokenBroker.Tests.Jobs.Refresh;
using TokenBroker.Tests.OAuth.Support;

namespace TokenBroker.Tests.Jobs.Status;

/// <summary>GET /api/status and `tokenbroker status` over mailboxes connected through the real consent flow.</summary>
public sealed class StatusTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>The status function mapped as the table maps it, over the OAuth host's store.</summary>
    private static async Task<(WebApplication App, string BaseUrl)> StartStatusAsync(OAuthTestHost host)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Services.AddSingleton(host.Registry);
        builder.Services.AddSingleton(host.Get<IOptions<OAuthOptions>>());
        builder.Services.AddSingleton(host.Get<CallerAccess>());
        builder.Services.AddSingleton(host.Get<ConsentInvitations>());
        var app = builder.Build();
        app.MapGet("/api/" + StatusApi.Route, StatusApi.GetAsync);
        await app.StartAsync();
        return (app, app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single().TrimEnd('/'));
    }

    private static async Task<(int Exit, string Output)> RunCliAsync(params string[] args)
    {
        var output = new StringWriter();
        var configuration = new InvocationConfiguration { Output = output, Error = output };
        var exit = await new RootCommand { StatusCommand.Create() }.Parse(["status", "--credential", TestCredentials.MasterKey, .. args]).InvokeAsync(configuration, Ct);
        return (exit, output.ToString());
    }

    private static async Task<(OAuthTestHost Host, string Connected, string Broken)> TwoMailboxesAsync()
    {
        var host = await RefreshTesting.StartAsync();
        var connected = await RefreshTesting.ConnectAsync(host, tokenLifetimeSeconds: 3600);
        var broken = await RefreshTesting.ConnectDueAsync(host, protocols: "imap,pop");
        await host.Identity.FailNextTokenCallAsync("refresh_token", "invalid_grant", errorCode: 700082);
        await RefreshTesting.RunTimerAsync(host, Ct);
        return (host, connected, broken);
    }

    [Fact]
    public async Task Status_lists_each_mailbox_with_state_reason_expiry_scopes_and_a_reconsent_link_when_needed()
    {
        var (host, connected, broken) = await TwoMailboxesAsync();
        await using var _ = host;
        var (app, baseUrl) = await StartStatusAsync(host);
        await using var __ = app;
        using var http = TestCredentials.Authorized(new HttpClient());

        var report = JsonSerializer.Deserialize<StatusReport>(await http.GetStringAsync(baseUrl + "/api/status", Ct), StatusReport.JsonOptions)!;

        var ok = Assert.Single(report.Mailboxes, m => m.Address == connected);
        Assert.Equal("Connected", ok.State);
        Assert.True(ok.AccessTokenExpiresAt > DateTimeOffset.UtcNow.AddMinutes(30));
        Assert.NotNull(ok.LastRefreshAt);
        Assert.Equal(["IMAP.AccessAsUser.All", "SMTP.Send"], ok.RequiredScopes);
        Assert.Empty(ok.MissingScopes);
        Assert.Null(ok.ReconsentUrl);
        var needs = Assert.Single(report.Mailboxes, m => m.Address == broken);
        Assert.Equal("NeedsConsent", needs.State);
        Assert.Contains("AADSTS700082", needs.Reason);
        Assert.Equal(["IMAP.AccessAsUser.All", "POP.AccessAsUser.All"], needs.RequiredScopes);
        Assert.StartsWith($"{baseUrl}/api/consent/start?invitation=", needs.ReconsentUrl);
    }

    [Fact]
    public async Task The_reconsent_link_is_an_invitation_that_starts_the_sign_in_for_that_mailbox()
    {
        var (host, _, broken) = await TwoMailboxesAsync();
        await using var _ = host;
        var (app, baseUrl) = await StartStatusAsync(host);
        await using var __ = app;
        using var http = TestCredentials.Authorized(new HttpClient());
        var report = JsonSerializer.Deserialize<StatusReport>(await http.GetStringAsync(baseUrl + "/api/status", Ct), StatusReport.JsonOptions)!;
        var link = new Uri(report.Mailboxes.Single(m => m.Address == broken).ReconsentUrl!);

        using var response = await host.Browser.GetAsync(link.PathAndQuery, Ct);

        Assert.Equal(System.Net.HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal(broken, System.Web.HttpUtility.ParseQueryString(response.Headers.Location!.Query)["login_hint"]);
    }

    [Fact]
    public async Task A_status_client_sees_only_the_mailboxes_its_scope_covers_and_no_reconsent_link()
    {
        var (host, connected, broken) = await TwoMailboxesAsync();
        await using var _ = host;
        var (app, baseUrl) = await StartStatusAsync(host);
        await using var __ = app;
        var secret = await CallerTesting.AddClientAsync(host.Get<IClientRegistry>(), "watcher", broken, "status");
        using var http = new HttpClient();
        http.DefaultRequestHeaders.Authorization = new("Bearer", secret);

        var report = JsonSerializer.Deserialize<StatusReport>(await http.GetStringAsync(baseUrl + "/api/status", Ct), StatusReport.JsonOptions)!;

        var only = Assert.Single(report.Mailboxes);
        Assert.Equal(broken, only.Address);
        Assert.Null(only.ReconsentUrl);
        Assert.DoesNotContain(report.Mailboxes, m => m.Address == connected);
    }

    [Fact]
    public async Task Status_refuses_a_caller_without_a_credential()
    {
        var (host, _, _) = await TwoMailboxesAsync();
        await using var _ = host;
        var (app, baseUrl) = await StartStatusAsync(host);
        await using var __ = app;
        using var http = new HttpClient();

        using var response = await http.GetAsync(baseUrl + "/api/status", Ct);

        Assert.Equal(System.Net.HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("tokenbroker clients add", await response.Content.ReadAsStringAsync(Ct));
    }

    [Fact]
    public async Task The_status_command_prints_a_table_with_the_reason_and_link_and_exits_1_when_a_mailbox_needs_attention()
    {
        var (host, connected, broken) = await TwoMailboxesAsync();
        await using var _ = host;
        var (app, baseUrl) = await StartStatusAsync(host);
        await using var __ = app;

        var (exit, output) = await RunCliAsync("--url", baseUrl);

        Assert.Equal(1, exit);
        Assert.StartsWith("MAILBOX", output);
        Assert.Contains(connected, output);
        Assert.Contains($"{broken} (NeedsConsent):", output);
        Assert.Contains("re-consent:  " + baseUrl + "/api/consent/start?invitation=", output);
        Assert.Contains("AADSTS700082", output);
    }

    [Fact]
    public async Task The_status_command_prints_the_brokers_json_with_json()
    {
        var (host, _, broken) = await TwoMailboxesAsync();
        await using var ___ = host;
        var (app, baseUrl) = await StartStatusAsync(host);
        await using var __ = app;

        var (_, output) = await RunCliAsync("--url", baseUrl, "--json");

        var report = JsonSerializer.Deserialize<StatusReport>(output, StatusReport.JsonOptions)!;
        Assert.Equal(2, report.Mailboxes.Count);
        Assert.Equal("NeedsConsent", report.Mailboxes.Single(m => m.Address == broken).State);
    }

    [Fact]
    public async Task The_status_command_says_when_the_broker_cannot_be_reached()
    {
        var (exit, output) = await RunCliAsync("--url", "http://127.0.0.1:1");

        Assert.Equal(2, exit);
        Assert.Contains("could not ask the broker", output);
    }

    [Fact]
    public void A_connected_mailbox_missing_a_required_scope_gets_a_reconsent_link()
    {
        var now = DateTimeOffset.UtcNow;
        var mailbox = new Mailbox("a@contoso.com", "tenant-1", MailboxMode.Delegated, MailProtocols.Imap | MailProtocols.Smtp, null,
            MailboxState.Connected, null, now, now, now, now.AddHours(1), null, "oid.tid", ["https://outlook.office.com/IMAP.AccessAsUser.All"], null);

        var status = MailboxStatus.Of(mailbox, "https://broker.example/api/consent/start?invitation=x");

        Assert.True(MailboxStatus.NeedsConsentLink(mailbox));
        Assert.Equal(["SMTP.Send"], status.MissingScopes);
        Assert.Equal("https://broker.example/api/consent/start?invitation=x", status.ReconsentUrl);
    }
}
