using Microsoft.Identity.Client;
using TokenBroker.Store;
using TokenBroker.Store.Embedded;

namespace TokenBroker.Tests.Store;

/// <summary>A real MSAL confidential client whose cache lives in the store, filled from a local token endpoint.</summary>
public sealed class MsalTokenCacheBindingTests : IAsyncLifetime
{
    private static readonly string[] Scopes = ["https://outlook.office365.com/.default"];
    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), "tokenbroker-msal-" + Guid.NewGuid().ToString("N"));
    private LocalTokenEndpoint _endpoint = null!;
    private EmbeddedTokenStore _store = null!;
    private RecordingTokenCacheStore _recorder = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _endpoint = await LocalTokenEndpoint.StartAsync();
        _store = new EmbeddedTokenStore(new EmbeddedTokenStoreOptions { DataDirectory = _dataDirectory });
        _recorder = new RecordingTokenCacheStore(_store.TokenCaches);
    }

    public async ValueTask DisposeAsync()
    {
        await _endpoint.DisposeAsync();
        await _store.DisposeAsync();
        Directory.Delete(_dataDirectory, recursive: true);
    }

    private IConfidentialClientApplication BoundApplication()
    {
        var application = _endpoint.CreateApplication();
        new MsalTokenCacheBinding(_recorder).Bind(application);
        return application;
    }

    [Fact]
    public async Task First_token_acquisition_writes_the_cache_once_as_a_new_item()
    {
        var application = BoundApplication();

        var result = await application.AcquireTokenForClient(Scopes).ExecuteAsync(Ct);

        Assert.Equal(TokenSource.IdentityProvider, result.AuthenticationResultMetadata.TokenSource);
        var write = Assert.Single(_recorder.Writes);
        Assert.Equal($"{LocalTokenEndpoint.ClientId}_{LocalTokenEndpoint.TenantId}_AppTokenCache", write.CacheKey);
        Assert.Null(write.ExpectedVersion);
    }

    [Fact]
    public async Task Token_served_from_the_cache_writes_nothing()
    {
        var application = BoundApplication();
        await application.AcquireTokenForClient(Scopes).ExecuteAsync(Ct);
        var readsBefore = _recorder.Reads;

        var result = await application.AcquireTokenForClient(Scopes).ExecuteAsync(Ct);

        Assert.Equal(TokenSource.Cache, result.AuthenticationResultMetadata.TokenSource);
        Assert.True(_recorder.Reads > readsBefore);
        Assert.Single(_recorder.Writes);
        Assert.Equal(1, _endpoint.TokenRequests);
    }

    [Fact]
    public async Task Another_application_instance_gets_the_token_from_the_stored_cache()
    {
        var first = await BoundApplication().AcquireTokenForClient(Scopes).ExecuteAsync(Ct);

        var second = await BoundApplication().AcquireTokenForClient(Scopes).ExecuteAsync(Ct);

        Assert.Equal(TokenSource.Cache, second.AuthenticationResultMetadata.TokenSource);
        Assert.Equal(first.AccessToken, second.AccessToken);
        Assert.Equal(1, _endpoint.TokenRequests);
        Assert.Single(_recorder.Writes);
    }

    [Fact]
    public async Task Refreshed_cache_is_written_against_the_version_it_was_loaded_at()
    {
        var application = BoundApplication();
        await application.AcquireTokenForClient(Scopes).ExecuteAsync(Ct);
        var loaded = await _store.TokenCaches.ReadAsync(_recorder.Writes[0].CacheKey, Ct);

        await application.AcquireTokenForClient(Scopes).WithForceRefresh(true).ExecuteAsync(Ct);

        Assert.Equal(2, _recorder.Writes.Count);
        Assert.Equal(loaded!.Version, _recorder.Writes[1].ExpectedVersion);
        Assert.Equal(2, _endpoint.TokenRequests);
    }

    [Fact]
    public async Task A_concurrent_store_change_surfaces_from_the_msal_call_and_the_other_write_stands()
    {
        var application = BoundApplication();
        await application.AcquireTokenForClient(Scopes).ExecuteAsync(Ct);
        var cacheKey = _recorder.Writes[0].CacheKey;
        Versioned<byte[]>? otherWrite = null;
        _recorder.AfterNextRead(async key =>
        {
            var current = await _store.TokenCaches.ReadAsync(key, Ct);
            otherWrite = await _store.TokenCaches.WriteAsync(key, [.. current!.Value, (byte)' '], current.Version, cancellationToken: Ct);
        });

        var error = await Record.ExceptionAsync(() => application.AcquireTokenForClient(Scopes).WithForceRefresh(true).ExecuteAsync(Ct));

        Assert.IsType<StoreConcurrencyException>(error);
        Assert.Equal(otherWrite!.Version, (await _store.TokenCaches.ReadAsync(cacheKey, Ct))!.Version);
    }
}
