using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using TokenBroker.Hosting.Configuration;
using TokenBroker.StorageAccount;

namespace TokenBroker.Jobs.Ledger;

/// <summary>
/// Registers <see cref="IMailLedger"/> (a singleton). Settings, section "Ledger":
/// <c>Kind</c> = Sqlite | AzureBlob (default: follows Queues:Transport: sqlite → Sqlite, azure → AzureBlob);
/// <c>Sqlite</c> binds <see cref="SqliteMailLedgerOptions"/> (DatabasePath, default Broker:DataDirectory/ledger.db; BusyTimeout;
/// SentRetentionDays; PurgeInterval);
/// <c>AzureBlob</c> binds <see cref="AzureBlobMailLedgerOptions"/> (ContainerName, SentRetentionDays, PurgeInterval,
/// RequestTimeout, MaxRetries, RetryDelay, MaxRetryDelay); <c>Connection</c> = the storage connection setting
/// (default: Queues:Connection, else AzureWebJobsStorage), resolved like the queue transport's (<see cref="StorageConnection.FromConfiguration"/>).
/// </summary>
public static class MailLedgerServiceCollectionExtensions
{
    public const string SectionName = "Ledger";
    private const string KindSetting = SectionName + ":Kind";
    private const string TransportSetting = "Queues:Transport";

    /// <exception cref="InvalidOperationException">A setting is missing or invalid; the message names it.</exception>
    public static IServiceCollection AddMailLedger(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        // Resolved now, so a bad setting stops the start-up with its name rather than the first job.
        switch (ResolveKind(configuration))
        {
            case MailLedgerKind.Sqlite:
                var sqlite = SqliteOptions(configuration);
                services.TryAddSingleton<IMailLedger>(provider => new SqliteMailLedger(sqlite, provider.GetService<TimeProvider>(), provider.GetService<ILogger<SqliteMailLedger>>()));
                break;
            case MailLedgerKind.AzureBlob:
                var (connection, blob) = AzureBlobSettings(configuration);
                services.TryAddSingleton<IMailLedger>(provider => new AzureBlobMailLedger(connection, blob,
                    timeProvider: provider.GetService<TimeProvider>(), logger: provider.GetService<ILogger<AzureBlobMailLedger>>()));
                break;
        }
        return services;
    }

    /// <summary>Ledger:Kind when set, otherwise the kind that matches Queues:Transport.</summary>
    public static MailLedgerKind ResolveKind(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        if (configuration[KindSetting] is { Length: > 0 } kind)
        {
            return kind.Trim().ToLowerInvariant() switch
            {
                "sqlite" => MailLedgerKind.Sqlite,
                "azureblob" => MailLedgerKind.AzureBlob,
                _ => throw new InvalidOperationException($"Setting '{KindSetting}' is '{kind}'; use 'Sqlite' or 'AzureBlob'."),
            };
        }
        var transport = configuration[TransportSetting] is { Length: > 0 } value ? value : new QueueHostingOptions().Transport;
        return transport.Trim().ToLowerInvariant() switch
        {
            "sqlite" => MailLedgerKind.Sqlite,
            "azure" or "azurestorage" => MailLedgerKind.AzureBlob,
            _ => throw new InvalidOperationException(
                $"Setting '{TransportSetting}' is '{transport}', which does not say where the mail ledger lives; set '{KindSetting}' to 'Sqlite' or 'AzureBlob'."),
        };
    }

    internal static SqliteMailLedgerOptions SqliteOptions(IConfiguration configuration)
    {
        var options = new SqliteMailLedgerOptions();
        configuration.GetSection($"{SectionName}:Sqlite").Bind(options);
        if (string.IsNullOrWhiteSpace(options.DatabasePath))
        {
            var dataDirectory = BrokerOptions.DataDirectoryOf(configuration);
            options.DatabasePath = Path.Combine(Path.GetFullPath(dataDirectory), SqliteMailLedgerOptions.DefaultFileName);
        }
        options.Validate();
        return options;
    }

    internal static (StorageConnection Connection, AzureBlobMailLedgerOptions Options) AzureBlobSettings(IConfiguration configuration)
    {
        var options = new AzureBlobMailLedgerOptions();
        configuration.GetSection(AzureBlobMailLedgerOptions.SectionName).Bind(options);
        options.Validate();
        var connectionName = configuration[$"{SectionName}:Connection"] is { Length: > 0 } ledgerConnection
            ? ledgerConnection
            : configuration[$"{QueueHostingOptions.Section}:Connection"] is { Length: > 0 } queueConnection ? queueConnection : "AzureWebJobsStorage";
        var connection = StorageConnection.FromConfiguration(configuration, connectionName);
        connection.RequireBlobServiceUri();
        return (connection, options);
    }
}
