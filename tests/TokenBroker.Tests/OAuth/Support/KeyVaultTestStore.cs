using Microsoft.Extensions.DependencyInjection;

namespace TokenBroker.Tests.OAuth.Support;

/// <summary>The Key Vault store through the store branch's Key Vault REST double (wired once that double exists).</summary>
internal static class KeyVaultTestStore
{
    public static IAsyncDisposable? Register(IServiceCollection services) =>
        throw new NotSupportedException("The Key Vault REST test double has not landed yet.");
}
