using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Identity.Client;

namespace TokenBroker.Tests.Store;

/// <summary>
/// A minimal Entra v2 token endpoint on https://127.0.0.1:{port}/{tenant}/oauth2/v2.0/token answering the client
/// credentials grant with a fresh dummy access token each time, so MSAL can fill its cache without the internet.
/// </summary>
public sealed class LocalTokenEndpoint : IAsyncDisposable
{
    public const string TenantId = "0f6a7d5e-1a2b-4c3d-9e8f-123456789abc";
    public const string ClientId = "6b1c3d9e-0000-4000-8000-00000000c11e";

    private readonly TestCertificateAuthority _authority;
    private readonly WebApplication _app;
    private int _tokenRequests;

    private LocalTokenEndpoint(TestCertificateAuthority authority, WebApplication app)
    {
        _authority = authority;
        _app = app;
    }

    public Uri Authority { get; private set; } = null!;

    public int TokenRequests => Volatile.Read(ref _tokenRequests);

    public static async Task<LocalTokenEndpoint> StartAsync()
    {
        var authority = TestCertificateAuthority.Create();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, l => l.UseHttps(authority.ServerCertificate)));
        var app = builder.Build();
        var endpoint = new LocalTokenEndpoint(authority, app);
        app.MapPost($"/{TenantId}/oauth2/v2.0/token", async (HttpRequest request) =>
        {
            var form = await request.ReadFormAsync();
            if (form["grant_type"] != "client_credentials" || form["client_id"] != ClientId)
                return Results.Json(new { error = "unsupported_grant_type" }, statusCode: 400);
            Interlocked.Increment(ref endpoint._tokenRequests);
            return Results.Json(new Dictionary<string, object>
            {
                ["token_type"] = "Bearer",
                ["expires_in"] = 3599,
                ["ext_expires_in"] = 3599,
                ["access_token"] = "dummy-access-token-" + Guid.NewGuid().ToString("N"),
            });
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        endpoint.Authority = new Uri($"{address.TrimEnd('/')}/{TenantId}/");
        return endpoint;
    }

    /// <summary>A confidential client pointed at this endpoint, trusting the test CA for its HTTPS calls.</summary>
    public IConfidentialClientApplication CreateApplication() =>
        ConfidentialClientApplicationBuilder.Create(ClientId)
            .WithClientSecret("test-only-client-secret")
            .WithAuthority(Authority.ToString(), validateAuthority: false)
            .WithInstanceDiscovery(false)
            .WithHttpClientFactory(new TrustingHttpClientFactory(_authority))
            .Build();

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        _authority.Dispose();
    }

    private sealed class TrustingHttpClientFactory(TestCertificateAuthority authority) : IMsalHttpClientFactory
    {
        private readonly HttpClient _client = new(authority.CreateTrustingHandler()) { Timeout = TimeSpan.FromSeconds(10) };

        public HttpClient GetHttpClient() => _client;
    }
}
