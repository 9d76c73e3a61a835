using System.Net;
using System.Text;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.DependencyInjection;
using TokenBroker.Callers;
using TokenBroker.Tests.Callers;
using TokenBroker.Tests.Hosting.Support;
using TokenBroker.Tests.Jobs.Mail.Support;

namespace TokenBroker.Tests.Hosting;

/// <summary>
/// The standalone face borrows no trust from where a request comes from: every protected function needs a
/// credential, also from 127.0.0.1; the Host header must be one of the broker's names; nothing grants CORS.
/// </summary>
public sealed class CallerRequirementTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static Task<RunningBroker> StartProductAsync(Dictionary<string, string>? extra = null)
    {
        var (settings, data) = MailBrokerPeers.NewBroker("callers");
        foreach (var (key, value) in extra ?? []) settings[key] = value;
        return MailBrokerPeers.StartAsync(settings, data);
    }

    [Fact]
    public async Task Every_protected_function_refuses_a_loopback_caller_without_a_credential()
    {
        await using var broker = await StartProductAsync();
        using var stranger = broker.AnonymousClient();
        var protectedFunctions = BrokerFunctions.Catalog.Http.Where(f => f.AuthLevel != AuthorizationLevel.Anonymous).ToArray();
        Assert.NotEmpty(protectedFunctions);

        foreach (var function in protectedFunctions)
        foreach (var method in function.Methods)
        {
            var path = "/api/" + function.Route.Replace("{address}", "someone%40contoso.com");
            using var request = new HttpRequestMessage(new HttpMethod(method.ToUpperInvariant()), path)
            {
                Content = method.Equals("get", StringComparison.OrdinalIgnoreCase) ? null : new StringContent("{}", Encoding.UTF8, "application/json"),
            };
            using var response = await stranger.SendAsync(request, Ct);
            Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, $"{method} {path} answered {(int)response.StatusCode}");
        }
    }

    [Fact]
    public async Task Only_the_sign_in_pages_and_health_are_anonymous()
    {
        var anonymous = BrokerFunctions.Catalog.Http.Where(f => f.AuthLevel == AuthorizationLevel.Anonymous).Select(f => f.Name).Order();

        // The dashboard signs people in itself (its session cookie stands for a client credential): see DashboardSecurityTests.
        Assert.Equal(["ConsentAdmin", "ConsentCallback", "ConsentStart", "Dashboard", "DashboardForm", "Health"], anonymous);
    }

    [Fact]
    public async Task A_request_naming_a_foreign_host_is_refused_with_400()
    {
        await using var broker = await StartProductAsync();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/status");
        request.Headers.Host = "attacker.example";

        using var response = await broker.Client.SendAsync(request, Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("Broker:AllowedHosts", await response.Content.ReadAsStringAsync(Ct));
    }

    [Fact]
    public async Task Localhost_is_one_of_the_names_of_a_broker_listening_on_127_0_0_1()
    {
        await using var broker = await StartProductAsync();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/health");
        request.Headers.Host = "localhost:" + broker.Client.BaseAddress!.Port;

        using var response = await broker.Client.SendAsync(request, Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task A_cross_origin_preflight_gets_no_cors_grant()
    {
        await using var broker = await StartProductAsync();
        using var request = new HttpRequestMessage(HttpMethod.Options, "/api/mail");
        request.Headers.Add("Origin", "https://attacker.example");
        request.Headers.Add("Access-Control-Request-Method", "POST");
        request.Headers.Add("Access-Control-Request-Headers", "authorization,content-type");

        using var response = await broker.AnonymousClient().SendAsync(request, Ct);

        Assert.False(response.Headers.Contains("Access-Control-Allow-Origin"));
        Assert.False(response.IsSuccessStatusCode);
    }

    [Fact]
    public async Task A_form_posted_mail_request_is_refused_with_415_even_with_a_credential()
    {
        await using var broker = await StartProductAsync();
        var body = MailJobsHarness.SendRequest("a@contoso.com", "b@contoso.com").ToJsonString();

        using var response = await broker.Client.PostAsync("/api/mail", new StringContent(body, Encoding.UTF8, "text/plain"), Ct);

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
    }

    [Fact]
    public async Task A_client_may_send_only_for_the_mailboxes_its_scope_names()
    {
        await using var broker = await StartProductAsync();
        var secret = await CallerTesting.AddClientAsync(broker.Services.GetRequiredService<IClientRegistry>(), "printer", "printer@contoso.com", "send");
        using var client = broker.AnonymousClient();
        client.DefaultRequestHeaders.Authorization = new("Bearer", secret);

        using var own = await client.PostAsync("/api/mail", Json(MailJobsHarness.SendRequest("printer@contoso.com", "x@contoso.com")), Ct);
        using var other = await client.PostAsync("/api/mail", Json(MailJobsHarness.SendRequest("ceo@contoso.com", "x@contoso.com")), Ct);

        Assert.Equal(HttpStatusCode.Accepted, own.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, other.StatusCode);
        Assert.Contains("not for ceo@contoso.com", await other.Content.ReadAsStringAsync(Ct));
    }

    [Fact]
    public async Task A_client_that_may_only_send_cannot_fetch()
    {
        await using var broker = await StartProductAsync();
        var secret = await CallerTesting.AddClientAsync(broker.Services.GetRequiredService<IClientRegistry>(), "sender", "*", "send");
        using var client = broker.AnonymousClient();
        client.DefaultRequestHeaders.Authorization = new("Bearer", secret);
        var fetch = """{"version":1,"kind":"fetch","id":"f-1","mailbox":"helpdesk@contoso.com","protocol":"imap","sink":{"type":"maildir","path":"/tmp/never"}}""";

        using var response = await client.PostAsync("/api/mail", new StringContent(fetch, Encoding.UTF8, "application/json"), Ct);

        Assert.True(response.StatusCode is HttpStatusCode.Forbidden or HttpStatusCode.BadRequest, $"answered {(int)response.StatusCode}");
        Assert.NotEqual(HttpStatusCode.Accepted, response.StatusCode);
    }

    [Fact]
    public async Task Serve_writes_the_local_cli_credential_readable_only_by_its_user_and_it_works()
    {
        await using var broker = await StartProductAsync();
        var path = LocalCliCredential.PathIn(broker.DataDirectory);

        var mode = File.GetUnixFileMode(path);
        using var client = broker.AnonymousClient();
        client.DefaultRequestHeaders.Authorization = new("Bearer", (await File.ReadAllTextAsync(path, Ct)).Trim());
        using var response = await client.GetAsync("/api/status", Ct);

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, mode);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task A_restart_keeps_the_local_cli_credential()
    {
        var (settings, data) = MailBrokerPeers.NewBroker("cli-credential");
        string first;
        await using (var broker = await MailBrokerPeers.StartAsync(settings, data))
            first = await File.ReadAllTextAsync(LocalCliCredential.PathIn(data), Ct);

        await using var restarted = await MailBrokerPeers.StartAsync(settings, data);

        Assert.Equal(first, await File.ReadAllTextAsync(LocalCliCredential.PathIn(data), Ct));
    }

    private static StringContent Json(System.Text.Json.Nodes.JsonNode node) => new(node.ToJsonString(), Encoding.UTF8, "application/json");
}
