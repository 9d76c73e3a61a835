using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace TokenBroker.Tests.Hosting.Support;

/// <summary>The master key the test brokers are configured with, and the moves of an admin holding it.</summary>
internal static class TestCredentials
{
    public const string MasterKey = "test-master-key-3f9c1d7e5b2a4c6e8f0a1b3c5d7e9f11";

    public static HttpClient Authorized(HttpClient client)
    {
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", MasterKey);
        return client;
    }

    /// <summary>POST /api/consent/invitations as the admin; the invitation link (absolute).</summary>
    public static async Task<Uri> InviteAsync(Uri brokerUrl, string mailbox, string protocols, CancellationToken cancellationToken,
        string? delegateAddress = null, bool replaceAccount = false)
    {
        using var http = Authorized(new HttpClient { BaseAddress = brokerUrl, Timeout = TimeSpan.FromSeconds(30) });
        using var response = await http.PostAsJsonAsync("/api/consent/invitations",
            new { mailbox, protocols, @delegate = delegateAddress, replaceAccount }, cancellationToken);
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"invitation answered {(int)response.StatusCode}: {body}");
        using var document = JsonDocument.Parse(body);
        return new Uri(document.RootElement.GetProperty("url").GetString()!);
    }
}
