using Microsoft.Extensions.Logging;
using TokenBroker.Hosting.Configuration;
using TokenBroker.Jobs.Ledger;
using TokenBroker.StorageAccount;

namespace TokenBroker.Jobs.Mail.Governor.Shared;

/// <summary>
/// Chooses the governor's state from Mail:Governor:SharedState: Local, Sqlite (Mail:Governor:DatabasePath, default
/// governor.db in Broker:DataDirectory) or AzureBlob (container Mail:Governor:ContainerName in the ledger's storage
/// account, connection as the ledger's). Empty: the ledger's kind, so instances that share a ledger share their limits.
/// </summary>
public static class GovernorStateRegistration
{
    private const string Setting = MailGovernorOptions.Section + ":SharedState";

    /// <summary>Checks the settings now (a bad one stops the start-up with its name) and returns how to build the state.</summary>
    public static Func<TimeProvider, ILogger?, IGovernorState> Resolve(IConfiguration configuration, MailGovernorOptions options)
    {
        var kind = options.SharedState?.Trim().ToLowerInvariant() switch
        {
            null or "" => FollowLedger(configuration),
            "local" => "local",
            "sqlite" => "sqlite",
            "azureblob" => "azureblob",
            _ => throw new InvalidOperationException($"Setting '{Setting}' is '{options.SharedState}'; use 'Local', 'Sqlite' or 'AzureBlob'."),
        };
        switch (kind)
        {
            case "sqlite":
                var path = options.DatabasePath is { Length: > 0 } given ? given
                    : Path.Combine(Path.GetFullPath(BrokerOptions.DataDirectoryOf(configuration)), "governor.db");
                return (time, logger) => new SqliteGovernorState(path, TimeSpan.FromSeconds(30), time, logger);
            case "azureblob":
                if (options.SlotLease < TimeSpan.FromSeconds(15))
                    throw new InvalidOperationException($"Setting '{MailGovernorOptions.Section}:SlotLease' is {options.SlotLease}; Azure blob leases last 15 to 60 seconds.");
                var (connection, requests) = MailLedgerServiceCollectionExtensions.AzureBlobSettings(configuration);
                ValidateContainer(options.ContainerName, $"{MailGovernorOptions.Section}:ContainerName");
                return (time, logger) => new AzureBlobGovernorState(connection, requests, options.ContainerName, time, logger);
            default:
                return (time, _) => new LocalGovernorState(time);
        }
    }

    private static string FollowLedger(IConfiguration configuration)
    {
        try
        {
            return MailLedgerServiceCollectionExtensions.ResolveKind(configuration) == MailLedgerKind.AzureBlob ? "azureblob" : "sqlite";
        }
        catch (InvalidOperationException)
        {
            return "local"; // no ledger to follow (another transport): the ledger's own check reports it
        }
    }

    /// <param name="setting">Named in the error.</param>
    internal static void ValidateContainer(string name, string setting)
    {
        var valid = name is { Length: >= 3 and <= 63 }
                    && name.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-')
                    && char.IsAsciiLetterOrDigit(name[0]) && char.IsAsciiLetterOrDigit(name[^1]) && !name.Contains("--", StringComparison.Ordinal);
        if (!valid)
            throw new InvalidOperationException($"Setting '{setting}' is '{name}'; a container name has 3-63 lower-case letters, digits and single hyphens.");
    }
}
