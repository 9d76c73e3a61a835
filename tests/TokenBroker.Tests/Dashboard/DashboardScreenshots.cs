using Microsoft.Playwright;
using TokenBroker.Tests.Hosting.Support;

namespace TokenBroker.Tests.Dashboard;

/// <summary>
/// Takes the README's screenshots (docs/images/dashboard-*.png) of the three states an operator must tell apart:
/// connected, needs consent, and the broker's own credential broken. Each picture is taken after the state is checked.
/// They go to docs/images only with TOKENBROKER_UPDATE_SCREENSHOTS=1 (a normal run leaves the work tree as it was and
/// writes them to a temporary folder).
/// </summary>
public sealed class DashboardScreenshots
{
    [Fact]
    public async Task The_dashboard_shows_connected_needs_consent_and_broken_credential_apart()
    {
        await using var harness = await DashboardHarness.StartAsync("dash-shots");
        var connected = await harness.ConnectAsync("helpdesk@tokenbroker.test");
        var revoked = await harness.ConnectAsync("sales@tokenbroker.test", "imap,pop3,smtp");
        await harness.SignInAsync();
        var folder = Environment.GetEnvironmentVariable("TOKENBROKER_UPDATE_SCREENSHOTS") == "1"
            ? Path.Combine(RepositoryRoot.Path, "docs", "images")
            : Directory.CreateTempSubdirectory("tokenbroker-screenshots-").FullName;
        Directory.CreateDirectory(folder);
        await harness.Page.ScreenshotAsync(new() { Path = Path.Combine(folder, "dashboard-connected.png"), FullPage = true });

        await harness.Identity.FailNextTokenCallAsync("refresh_token", "invalid_grant", 700082);
        await harness.Browser.Row(revoked).GetByRole(AriaRole.Button, new() { Name = "Refresh now" }).ClickAsync();
        Assert.Equal("Needs consent", await harness.Browser.BadgeAsync(revoked));
        Assert.Equal("Connected", await harness.Browser.BadgeAsync(connected));
        await harness.Page.ScreenshotAsync(new() { Path = Path.Combine(folder, "dashboard-needs-consent.png"), FullPage = true });

        await harness.Identity.FailNextTokenCallAsync("refresh_token", "invalid_client", 7000222, status: 401);
        await harness.Browser.Row(connected).GetByRole(AriaRole.Button, new() { Name = "Refresh now" }).ClickAsync();
        Assert.Equal("Broker credential broken", await harness.Browser.BadgeAsync(connected));
        await harness.Page.ScreenshotAsync(new() { Path = Path.Combine(folder, "dashboard-broken-credential.png"), FullPage = true });
        harness.Browser.AssertNoProblems();
    }
}
