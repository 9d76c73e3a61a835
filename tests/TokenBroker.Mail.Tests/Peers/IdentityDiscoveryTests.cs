using System.Net.Http;
using System.Net.Http.Json;
using System.Security.Authentication;
using System.Text.Json.Nodes;
using TokenBroker.Testing;

namespace TokenBroker.Mail.Tests.Peers;

/// <summary>The local identity server publishes an Entra-shaped discovery document over HTTPS, trusted only through the test CA.</summary>
public sealed class IdentityDiscoveryTests
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Discovery_document_is_served_over_https_trusted_through_the_test_ca()
    {
        using var http = new HttpClient(TestCertificates.CreateHttpClientHandler()) { Timeout = TimeSpan.FromSeconds(10) };

        var document = await http.GetFromJsonAsync<JsonObject>(IdentityServerControl.OpenIdConfigurationUrl, Cancellation);

        Assert.NotNull(document);
        Assert.Equal(IdentityServerControl.Issuer, (string?)document["issuer"]);
        Assert.Equal($"{IdentityServerControl.Authority}/oauth2/v2.0/token", (string?)document["token_endpoint"]);
        Assert.Equal($"{IdentityServerControl.Authority}/oauth2/v2.0/authorize", (string?)document["authorization_endpoint"]);
    }

    [Fact]
    public async Task Discovery_document_is_not_trusted_without_the_test_ca()
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };

        var error = await Assert.ThrowsAsync<HttpRequestException>(
            () => http.GetAsync(IdentityServerControl.OpenIdConfigurationUrl, Cancellation));

        Assert.IsType<AuthenticationException>(error.InnerException);
    }
}
