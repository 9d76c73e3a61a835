using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using TokenBroker.StorageAccount;

namespace TokenBroker.Queues;

/// <summary>
/// Creates the queue transport configuration asks for. Section "Queues":
/// <c>Transport</c> = "Sqlite" (the embedded default) or "AzureStorage"; <c>Connection</c> = the name of the
/// storage connection setting (default "AzureWebJobsStorage"); <c>Sqlite</c> binds <see cref="SqliteQueueOptions"/>;
/// <c>Azure</c> binds <see cref="AzureQueueTransportOptions"/> (MessageTimeToLive, RequestTimeout, MaxRetries, RetryDelay, MaxRetryDelay).
/// The connection resolves like the Functions host's (<see cref="StorageConnection.FromConfiguration"/>).
/// </summary>
public static class QueueTransportFactory
{
    public const string SectionName = "Queues";

    /// <exception cref="InvalidOperationException">A setting is missing or invalid; the message names it.</exception>
    public static IQueueTransport Create(IConfiguration configuration, TimeProvider? timeProvider = null, HttpClient? httpClient = null, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var transport = configuration[$"{SectionName}:Transport"] ?? "Sqlite";
        return transport.ToLowerInvariant() switch
        {
            "sqlite" => CreateSqlite(configuration, timeProvider),
            "azurestorage" or "azure" => CreateAzureStorage(configuration, httpClient, loggerFactory),
            _ => throw new InvalidOperationException($"Setting '{SectionName}:Transport' is '{transport}'; use 'Sqlite' or 'AzureStorage'."),
        };
    }

    public static SqliteQueueTransport CreateSqlite(IConfiguration configuration, TimeProvider? timeProvider = null)
    {
        var options = new SqliteQueueOptions();
        configuration.GetSection($"{SectionName}:Sqlite").Bind(options);
        return new SqliteQueueTransport(options, timeProvider);
    }

    /// <param name="httpClient">Null: the SDK's shared transport.</param>
    public static AzureStorageQueueTransport CreateAzureStorage(IConfiguration configuration, HttpClient? httpClient = null, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var connectionName = configuration[$"{SectionName}:Connection"] is { Length: > 0 } name ? name : "AzureWebJobsStorage";
        var options = new AzureQueueTransportOptions();
        configuration.GetSection(AzureQueueTransportOptions.SectionName).Bind(options);
        return new AzureStorageQueueTransport(StorageConnection.FromConfiguration(configuration, connectionName), options, httpClient,
            loggerFactory?.CreateLogger<AzureStorageQueueTransport>());
    }
}
