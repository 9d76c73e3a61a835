using TokenBroker.Tests.Hosting.Support;

namespace TokenBroker.Tests.Hosting;

/// <summary>What the executable as it ships leaves for later when it starts under the Functions host.</summary>
public class PublishedStartupTests
{
    // The host waits for the readiness answer before it sends work; each of these is needed only by some request.
    private static readonly string[] LoadedOnlyByRequests =
    [
        "Azure.Security.KeyVault.Secrets.dll",
        "Azure.Identity.dll",
        "Azure.Core.dll",
        "Microsoft.Data.Sqlite.dll",
        "SQLitePCLRaw.core.dll",
        "Microsoft.AspNetCore.DataProtection.dll",
    ];

    [Theory]
    [InlineData("KeyVault")]
    [InlineData("Embedded")]
    public async Task Started_as_a_custom_handler_it_answers_the_readiness_probe_without_loading_the_token_store_ledger_or_cloud_clients(string tokenStore)
    {
        await using var broker = await PublishedBroker.StartAsCustomHandlerAsync(new Dictionary<string, string>
        {
            ["TokenStore__Kind"] = tokenStore,
            ["TokenStore__VaultUri"] = "https://startup-test.vault.azure.net/",
        });

        var mapped = broker.MappedFileNames();

        Assert.Contains("tokenbroker.dll", mapped);
        Assert.Equal([], LoadedOnlyByRequests.Where(mapped.Contains).ToArray());
    }
}
