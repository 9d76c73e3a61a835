using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using TokenBroker.OAuth;
using TokenBroker.Store;
using TokenBroker.Store.Embedded;
using TokenBroker.Tests.OAuth.Support;

namespace TokenBroker.Tests.OAuth;

/// <summary>Two broker instances refresh the same account at once (Functions scale-out); the store keeps one winner.</summary>
public sealed class ConcurrentRefreshTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Lets "another instance" refresh and store its cache just before this instance's first cache write.</summary>
    private sealed class InterleavingTokenCacheStore(ITokenCacheStore inner) : ITokenCacheStore
    {
        public Func<Task>? BeforeNextWrite { get; set; }

        public Task<Versioned<byte[]>?> ReadAsync(string cacheKey, CancellationToken cancellationToken = default) => inner.ReadAsync(cacheKey, cancellationToken);

        public async Task<Versioned<byte[]>> WriteAsync(string cacheKey, byte[] data, string? expectedVersion, IReadOnlyDictionary<string, string>? tags = null, CancellationToken cancellationToken = default)
        {
            if (BeforeNextWrite is { } other)
            {
                BeforeNextWrite = null;
                await other();
            }
            return await inner.WriteAsync(cacheKey, data, expectedVersion, tags, cancellationToken);
        }

        public Task DeleteAsync(string cacheKey, CancellationToken cancellationToken = default) => inner.DeleteAsync(cacheKey, cancellationToken);
    }

    [Fact]
    public async Task Losing_the_race_to_store_a_refreshed_cache_still_returns_a_valid_token()
    {
        InterleavingTokenCacheStore? interleaving = null;
        await using var host = await OAuthTestHost.StartAsync(configureServices: services =>
            services.AddSingleton<ITokenCacheStore>(sp => interleaving = new InterleavingTokenCacheStore(sp.GetRequiredService<EmbeddedTokenStore>().TokenCaches)));
        var mailbox = $"race-{Guid.NewGuid():N}@{IdentityPeer.TenantDomain}";
        await host.Identity.SetTokenLifetimeAsync(120);
        await host.CompleteAsync(await host.SignInAsync(mailbox));
        await host.Identity.SetTokenLifetimeAsync(3600);

        // The other instance: its own MSAL client over the same store (without the interleaving hook).
        var plainStore = host.Get<EmbeddedTokenStore>().TokenCaches;
        var otherClients = ActivatorUtilities.CreateInstance<ConfidentialClientFactory>(host.App.Services, plainStore, new MsalTokenCacheBinding(plainStore));
        var otherInstance = new MailboxTokenProvider(host.Registry, otherClients, host.Clock, host.Get<ILoggerFactory>().CreateLogger<MailboxTokenProvider>());
        MailboxAccessToken? otherToken = null;
        interleaving!.BeforeNextWrite = async () => otherToken = await otherInstance.GetAccessTokenAsync(mailbox, Ct);

        var token = await host.Tokens.GetAccessTokenAsync(mailbox, Ct);

        Assert.NotNull(otherToken);
        Assert.Equal(2, await host.Identity.TokenRequestCountAsync("refresh_token"));
        Assert.Equal(otherToken.AccessToken, token.AccessToken);
        Assert.Equal(MailboxState.Connected, (await host.Registry.GetAsync(mailbox, Ct))!.Value.State);
    }
}
