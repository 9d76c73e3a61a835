using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using TokenBroker.Bridge;
using TokenBroker.Bridge.Reports;
using TokenBroker.Callers;
using TokenBroker.Functions;
using TokenBroker.Hosting;
using TokenBroker.Hosting.Functions;
using TokenBroker.Tests.Callers;
using TokenBroker.Tests.Hosting.Support;

namespace TokenBroker.Tests.Bridge.Reports;

/// <summary>
/// PUT /api/bridge/status: a remote bridge's counters reach the broker's status only through its own credential, only
/// for mailboxes that credential serves, and only in the shape and size the broker accepts.
/// </summary>
public sealed class BridgeReportsApiTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static Task<RunningBroker> StartAsync() =>
        RunningBroker.StartAsync(HostingMode.Standalone, FunctionCatalog.ForTypes([typeof(BridgeReportFunction), typeof(StatusFunction)]));

    private static async Task<HttpClient> ClientAsync(RunningBroker broker, string name, string mailboxes, string can)
    {
        var client = broker.AnonymousClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer",
            await CallerTesting.AddClientAsync(broker.Services.GetRequiredService<IClientRegistry>(), name, mailboxes, can));
        return client;
    }

    private static object Counter(string app, string mailbox, string protocol = "smtp", long sessions = 1, long messages = 1, long refusals = 0) =>
        new { app, mailbox, protocol, sessions, messages, refusals };

    private static Task<HttpResponseMessage> ReportAsync(HttpClient client, params object[] counters) =>
        client.PutAsJsonAsync("/api/bridge/status", new { counters }, Ct);

    private static async Task<JsonElement> StatusAsync(HttpClient client)
    {
        using var response = await client.GetAsync("/api/status", Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct)).RootElement;
    }

    [Fact]
    public async Task A_report_replaces_the_bridges_last_one_in_the_status()
    {
        await using var broker = await StartAsync();
        using var bridge = await ClientAsync(broker, "branch-bridge", "*@contoso.com", "token");

        Assert.Equal(HttpStatusCode.NoContent, (await ReportAsync(bridge, Counter("printer", "scans@contoso.com", messages: 1))).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await ReportAsync(bridge, Counter("printer", "scans@contoso.com", messages: 7), Counter("(unknown)", "(any)", "imap", 0, 0, 3))).StatusCode);

        var report = Assert.Single((await StatusAsync(broker.Client)).GetProperty("remoteBridges").EnumerateArray());
        Assert.Equal("branch-bridge", report.GetProperty("name").GetString());
        var counters = report.GetProperty("counters").EnumerateArray().ToList();
        Assert.Equal(2, counters.Count);
        Assert.Contains(counters, c => c.GetProperty("mailbox").GetString() == "scans@contoso.com" && c.GetProperty("messages").GetInt64() == 7);
        Assert.Contains(counters, c => c.GetProperty("app").GetString() == "(unknown)" && c.GetProperty("refusals").GetInt64() == 3);
    }

    [Fact]
    public async Task A_report_naming_a_mailbox_outside_the_bridges_token_scope_is_refused_and_nothing_is_stored()
    {
        await using var broker = await StartAsync();
        using var bridge = await ClientAsync(broker, "branch-bridge", "scans@contoso.com", "token");

        using var response = await ReportAsync(bridge, Counter("printer", "scans@contoso.com"), Counter("printer", "ceo@contoso.com"));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Contains("no token right on ceo@contoso.com", await response.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        Assert.False((await StatusAsync(broker.Client)).TryGetProperty("remoteBridges", out _));
    }

    [Fact]
    public async Task A_client_without_the_token_right_cannot_report()
    {
        await using var broker = await StartAsync();
        using var app = await ClientAsync(broker, "printer", "scans@contoso.com", "bridge,status");

        using var response = await ReportAsync(app, Counter("printer", "scans@contoso.com"));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Fact]
    public async Task An_anonymous_report_is_refused()
    {
        await using var broker = await StartAsync();
        using var stranger = broker.AnonymousClient();

        using var response = await ReportAsync(stranger, Counter("printer", "scans@contoso.com"));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Theory]
    [InlineData("printer", "scans@contoso.com", "ftp", 1, "protocol is smtp, imap or pop3")]
    [InlineData("printer", "not an address", "smtp", 1, "is not an address")]
    [InlineData("printer", "(any)", "smtp", 1, "is not an address")]
    [InlineData("", "scans@contoso.com", "smtp", 1, "names its app")]
    [InlineData("printer", "scans@contoso.com", "smtp", -1, "counts (0 or more)")]
    public async Task A_malformed_counter_is_refused_with_a_sentence(string app, string mailbox, string protocol, long sessions, string expected)
    {
        await using var broker = await StartAsync();
        using var bridge = await ClientAsync(broker, "branch-bridge", "*", "token");

        using var response = await ReportAsync(bridge, Counter(app, mailbox, protocol, sessions));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(expected, await response.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_report_with_more_counters_than_the_limit_is_refused()
    {
        await using var broker = await StartAsync();
        using var bridge = await ClientAsync(broker, "branch-bridge", "*@contoso.com", "token");
        var counters = Enumerable.Range(0, BridgeReportsApi.MaxCounters + 1).Select(i => Counter("app" + i, "scans@contoso.com")).ToArray();

        using var response = await ReportAsync(bridge, counters);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains($"at most {BridgeReportsApi.MaxCounters} counters", await response.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_status_shows_a_callers_only_the_remote_counters_of_mailboxes_its_scope_covers()
    {
        await using var broker = await StartAsync();
        using var bridge = await ClientAsync(broker, "branch-bridge", "*@contoso.com", "token");
        Assert.Equal(HttpStatusCode.NoContent, (await ReportAsync(bridge, Counter("printer", "scans@contoso.com"), Counter("erp", "billing@contoso.com"))).StatusCode);
        using var scansOps = await ClientAsync(broker, "scans-ops", "scans@contoso.com", "status");
        using var otherOps = await ClientAsync(broker, "other-ops", "someone@fabrikam.com", "status");

        var seen = Assert.Single((await StatusAsync(scansOps)).GetProperty("remoteBridges").EnumerateArray()).GetProperty("counters");
        Assert.Equal(["scans@contoso.com"], seen.EnumerateArray().Select(c => c.GetProperty("mailbox").GetString()));
        Assert.False((await StatusAsync(otherOps)).TryGetProperty("remoteBridges", out _));
    }
}
