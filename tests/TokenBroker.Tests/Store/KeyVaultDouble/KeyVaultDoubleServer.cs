using System.Net;
using Azure.Core.Pipeline;
using Azure.Security.KeyVault.Secrets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using TokenBroker.Store.KeyVault;

namespace TokenBroker.Tests.Store.KeyVaultDouble;

/// <summary>
/// A stand-in for one Azure Key Vault (secrets API only) on https://127.0.0.1:{port}/, served by Kestrel with a
/// test CA's certificate. It answers the bearer challenge like the real service, accepts only
/// <see cref="AccessToken"/>, counts writes, and can throttle the next requests with 429 + Retry-After.
/// </summary>
public sealed class KeyVaultDoubleServer : IAsyncDisposable
{
    public const string AccessToken = "kv-double-dummy-token";
    public const string TenantId = "72f988bf-86f1-41af-91ab-2d7cd011db47";

    private readonly TestCertificateAuthority _authority;
    private readonly WebApplication _app;
    private readonly object _gate = new();
    private int _throttleRemaining;
    private TimeSpan _throttleRetryAfter;
    private int _writeCount;
    private Action<string>? _afterNextSet;

    private KeyVaultDoubleServer(TestCertificateAuthority authority, WebApplication app, DoubleVault vault)
    {
        _authority = authority;
        _app = app;
        Vault = vault;
    }

    public DoubleVault Vault { get; }

    public Uri VaultUri { get; private set; } = null!;

    public int PageSize { get; set; } = 25;

    /// <summary>The CA that signed the server's certificate (public part), for clients in another process.</summary>
    public System.Security.Cryptography.X509Certificates.X509Certificate2 RootCertificate => _authority.Root;

    /// <summary>Every request that reached the server, in order (method, path, status sent, time received).</summary>
    public List<DoubleRequest> Requests { get; } = [];

    /// <summary>Successful or failed write requests (set, update, delete, purge) that passed authentication and throttling.</summary>
    public int WriteCount => Volatile.Read(ref _writeCount);

    public static async Task<KeyVaultDoubleServer> StartAsync(TimeProvider? timeProvider = null)
    {
        var authority = TestCertificateAuthority.Create();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel =>
            kestrel.Listen(IPAddress.Loopback, 0, listen => listen.UseHttps(authority.ServerCertificate)));
        var app = builder.Build();
        var server = new KeyVaultDoubleServer(authority, app, new DoubleVault(timeProvider ?? TimeProvider.System));
        var handler = new DoubleRequestHandler(server.Vault, server);
        app.Run(context => server.ServeAsync(context, handler));
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        server.VaultUri = new Uri(address.TrimEnd('/') + "/");
        return server;
    }

    /// <summary>The next <paramref name="count"/> requests get 429 Too Many Requests with that Retry-After (whole seconds).</summary>
    public void ThrottleNextRequests(int count, TimeSpan retryAfter)
    {
        lock (_gate)
        {
            _throttleRemaining = count;
            _throttleRetryAfter = retryAfter;
        }
    }

    /// <summary>
    /// A SecretClient for this vault: the store's own client options (retry policy) with a transport that trusts
    /// the test CA, and resource verification off because the challenge names vault.azure.net, not 127.0.0.1.
    /// </summary>
    public SecretClient CreateClient(KeyVaultTokenStoreOptions options, FixedTokenCredential? credential = null)
    {
        var clientOptions = KeyVaultTokenStore.CreateClientOptions(options);
        clientOptions.Transport = new HttpClientTransport(_authority.CreateTrustingHandler());
        clientOptions.DisableChallengeResourceVerification = true;
        return new SecretClient(VaultUri, credential ?? new FixedTokenCredential(AccessToken), clientOptions);
    }

    /// <summary>A raw HTTP client for this vault (trusting the test CA, sending the accepted bearer token), to check wire shapes.</summary>
    public HttpClient CreateHttpClient()
    {
        var http = new HttpClient(_authority.CreateTrustingHandler()) { BaseAddress = VaultUri, Timeout = TimeSpan.FromSeconds(30) };
        http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", AccessToken);
        return http;
    }

    /// <summary>
    /// Runs <paramref name="action"/> once, right after the next successful set-secret and before its response is
    /// sent: the moment another instance's write would land between a writer's PUT and its verification read.
    /// </summary>
    public void AfterNextSecretSet(Action<string> action) => Interlocked.Exchange(ref _afterNextSet, action);

    internal void CountWrite() => Interlocked.Increment(ref _writeCount);

    internal void SecretWasSet(string name) => Interlocked.Exchange(ref _afterNextSet, null)?.Invoke(name);

    private async Task ServeAsync(HttpContext context, DoubleRequestHandler handler)
    {
        var received = DateTimeOffset.UtcNow;
        try
        {
            if (!IsAuthorized(context.Request))
            {
                context.Response.StatusCode = 401;
                context.Response.Headers.WWWAuthenticate =
                    $"Bearer authorization=\"https://login.microsoftonline.com/{TenantId}\", resource=\"https://vault.azure.net\"";
                return;
            }
            if (TakeThrottle() is { } retryAfter)
            {
                context.Response.StatusCode = 429;
                context.Response.Headers.RetryAfter = ((int)retryAfter.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture);
                context.Response.ContentType = "application/json";
                await context.Response.WriteAsync(DoubleJson.Error("Throttled", "Request was not processed because too many requests were received. Reason: VaultRequestTypeLimitReached").ToJsonString());
                return;
            }
            await handler.HandleAsync(context);
        }
        finally
        {
            lock (Requests)
                Requests.Add(new DoubleRequest(context.Request.Method, context.Request.Path.Value ?? "", context.Response.StatusCode, received));
        }
    }

    private static bool IsAuthorized(HttpRequest request) =>
        request.Headers.Authorization.ToString() == "Bearer " + AccessToken;

    private TimeSpan? TakeThrottle()
    {
        lock (_gate)
        {
            if (_throttleRemaining <= 0) return null;
            _throttleRemaining--;
            return _throttleRetryAfter;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        _authority.Dispose();
    }
}

public sealed record DoubleRequest(string Method, string Path, int Status, DateTimeOffset ReceivedAt);
