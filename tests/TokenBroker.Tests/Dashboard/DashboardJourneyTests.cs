using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using TokenBroker.Functions;
using TokenBroker.Queues;
using TokenBroker.Testing;
using TokenBroker.Tests.Hosting.Support;

namespace TokenBroker.Tests.Dashboard;

/// <summary>
/// The operator's journeys through the dashboard in a real browser (chromium) against a standalone broker, the identity
/// server and Dovecot. Each test ends with no console or page error (a CSP violation is one).
/// </summary>
public sealed class DashboardJourneyTests
{
    [Fact]
    public async Task Connecting_a_mailbox_through_the_form_shows_it_connected()
    {
        await using var harness = await DashboardHarness.StartAsync("dash-connect");
        await harness.SignInAsync();
        var mailbox = Maildir.UniqueAddress("dash-form");
        var page = harness.Page;

        await page.GetByLabel("Mailbox address").FillAsync(mailbox);
        await page.GetByRole(AriaRole.Button, new() { Name = "Create the invitation" }).ClickAsync();
        await page.Locator("#start-consent").ClickAsync();
        await page.WaitForURLAsync(url => url.Contains("/api/consent/callback", StringComparison.Ordinal));
        await page.GotoAsync(new Uri(harness.Url, "/api/dashboard").AbsoluteUri);

        Assert.Equal("Connected", await harness.Browser.BadgeAsync(mailbox));
        harness.Browser.AssertNoProblems();
    }

    [Fact]
    public async Task Refresh_now_after_the_grant_is_revoked_shows_needs_consent_with_the_reason_and_a_reconsent_link()
    {
        await using var harness = await DashboardHarness.StartAsync("dash-refresh");
        var mailbox = await harness.ConnectedMailboxAsync("dash-refresh");
        await harness.SignInAsync();
        Assert.Equal("Connected", await harness.Browser.BadgeAsync(mailbox));

        await harness.Identity.FailNextTokenCallAsync("refresh_token", "invalid_grant", 700082);
        await harness.Browser.Row(mailbox).GetByRole(AriaRole.Button, new() { Name = "Refresh now" }).ClickAsync();

        Assert.Equal("Needs consent", await harness.Browser.BadgeAsync(mailbox));
        Assert.Contains("700082", await harness.Browser.Row(mailbox).Locator(".reason").InnerTextAsync(), StringComparison.Ordinal);
        Assert.Equal(1, await harness.Browser.Row(mailbox).GetByRole(AriaRole.Link, new() { NameString = "Re-consent link" }).CountAsync());
        harness.Browser.AssertNoProblems();
    }

    [Fact]
    public async Task Probe_now_shows_the_servers_answers_and_the_outcome()
    {
        await using var harness = await DashboardHarness.StartAsync("dash-probe");
        var mailbox = await harness.ConnectedMailboxAsync("dash-probe");
        await harness.SignInAsync();

        var row = harness.Browser.Row(mailbox);
        await row.GetByLabel("Protocol").SelectOptionAsync("imap");
        await row.GetByRole(AriaRole.Button, new() { Name = "Probe now" }).ClickAsync();

        var probe = harness.Page.Locator("#probe");
        Assert.Contains("Login succeeded", await probe.Locator(".probe-result").InnerTextAsync(), StringComparison.Ordinal);
        Assert.Contains("AUTHENTICATE", await probe.Locator("pre").TextContentAsync() ?? "", StringComparison.Ordinal);
        harness.Browser.AssertNoProblems();
    }

    [Fact]
    public async Task A_poisoned_request_is_listed_with_its_reason_and_requeued()
    {
        await using var harness = await DashboardHarness.StartAsync("dash-poison");
        var mailbox = Maildir.UniqueAddress("dash-unknown");
        var queues = harness.Broker.Services.GetRequiredService<IQueueTransport>();
        var request = JsonSerializer.Serialize(new { version = 1, kind = "send", id = "dash-poison-1", from = mailbox, to = new[] { mailbox }, subject = "x", text = "x" });
        await queues.SendAsync(MailWorkerFunction.QueueName, request, cancellationToken: TestContext.Current.CancellationToken);
        await WaitForAsync(async () => await queues.GetApproximateCountAsync(MailWorkerFunction.PoisonQueueName) == 1);
        await harness.SignInAsync();

        var poisoned = harness.Page.Locator("tr", new() { Has = harness.Page.GetByRole(AriaRole.Button, new() { Name = "Requeue" }), HasText = "dash-poison-1" });
        var listed = await poisoned.InnerTextAsync();
        Assert.True(listed.Contains(mailbox, StringComparison.OrdinalIgnoreCase) && listed.Contains("is not a registered mailbox", StringComparison.Ordinal), listed);
        await poisoned.GetByRole(AriaRole.Button, new() { Name = "Requeue" }).ClickAsync();

        Assert.Contains("is back on mail-requests", await harness.Page.Locator("#notice").InnerTextAsync(), StringComparison.Ordinal);
        harness.Browser.AssertNoProblems();
    }

    [Fact]
    public async Task Signing_in_and_refreshing_work_with_the_keyboard_alone()
    {
        await using var harness = await DashboardHarness.StartAsync("dash-keys");
        var mailbox = await harness.ConnectedMailboxAsync("dash-keys");
        var page = harness.Page;
        await page.GotoAsync(new Uri(harness.Url, "/api/dashboard").AbsoluteUri);

        // The credential field takes the focus on arrival; a browser applies autofocus at its next rendering, which
        // under load can come after the load event, so wait for it rather than type into the page body.
        await page.WaitForFunctionAsync("document.activeElement?.id === 'credential'");
        await page.Keyboard.TypeAsync(TestCredentials.MasterKey);
        await page.Keyboard.PressAsync("Enter");
        await page.GetByRole(AriaRole.Heading, new() { Name = "Mailboxes" }).WaitForAsync();
        await page.Keyboard.PressAsync("Tab");
        Assert.Equal("Skip to the content", await page.EvaluateAsync<string>("document.activeElement.textContent"));
        var reached = false;
        for (var i = 0; i < 40 && !reached; i++)
        {
            await page.Keyboard.PressAsync("Tab");
            reached = await page.EvaluateAsync<string>("document.activeElement.textContent") == "Refresh now " + mailbox;
        }
        Assert.True(reached, "Tab never reached the Refresh now button of " + mailbox);
        Assert.NotEqual("none", await page.EvaluateAsync<string>("getComputedStyle(document.activeElement).outlineStyle"));
        await page.Keyboard.PressAsync("Enter");

        Assert.Contains("was redeemed", await page.Locator("#notice").InnerTextAsync(), StringComparison.Ordinal);
        harness.Browser.AssertNoProblems();
    }

    private static async Task WaitForAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "the condition did not come true within 30 s");
            await Task.Delay(100, TestContext.Current.CancellationToken);
        }
    }
}
