using Azure.Core;
using Microsoft.Extensions.Configuration;
using TokenBroker.AzureStorage;

namespace TokenBroker.Queues;

/// <summary>How requests to the queue service are authorized.</summary>
public enum QueueAuthentication
{
    /// <summary>An account key signs each request (connection strings).</summary>
    SharedKey,

    /// <summary>An Entra token from a <see cref="TokenCredential"/> (identity-based connections).</summary>
    BearerToken,
}

/// <summary>
/// The queue service of a <see cref="StorageConnection"/>: where it is and how to authorize against it, resolved
/// from a connection setting the way the Functions host resolves one (e.g. "AzureWebJobsStorage").
/// </summary>
public sealed class QueueConnection
{
    public const string StorageAudienceScope = StorageConnection.StorageAudienceScope;

    public QueueConnection(StorageConnection account)
    {
        ArgumentNullException.ThrowIfNull(account);
        Account = account;
        QueueServiceUri = account.RequireQueueServiceUri();
    }

    /// <summary>The whole account connection (the blob ledger uses the same one).</summary>
    public StorageConnection Account { get; }

    /// <summary>The queue service endpoint, e.g. https://account.queue.core.windows.net or http://127.0.0.1:10001/devstoreaccount1.</summary>
    public Uri QueueServiceUri { get; }

    public QueueAuthentication Authentication => Account.Authentication == StorageAuthentication.SharedKey
        ? QueueAuthentication.SharedKey
        : QueueAuthentication.BearerToken;

    /// <summary>The storage account, when known (always for <see cref="QueueAuthentication.SharedKey"/>).</summary>
    public string? AccountName => Account.AccountName;

    /// <summary>The credential for <see cref="QueueAuthentication.BearerToken"/>.</summary>
    public TokenCredential? Credential => Account.Credential;

    internal byte[]? AccountKey => Account.AccountKey;

    public static QueueConnection WithSharedKey(Uri queueServiceUri, string accountName, string accountKeyBase64, string settingName = "AccountKey")
    {
        ArgumentNullException.ThrowIfNull(queueServiceUri);
        return new QueueConnection(StorageConnection.WithSharedKey(accountName, accountKeyBase64, queueServiceUri, null, settingName));
    }

    public static QueueConnection WithTokenCredential(Uri queueServiceUri, TokenCredential credential)
    {
        ArgumentNullException.ThrowIfNull(queueServiceUri);
        return new QueueConnection(StorageConnection.WithTokenCredential(credential, queueServiceUri, null));
    }

    /// <param name="settingName">Named in the error messages, e.g. "AzureWebJobsStorage".</param>
    public static QueueConnection FromConnectionString(string connectionString, string settingName = "connection string") =>
        new(StorageConnection.FromConnectionString(connectionString, settingName));

    /// <inheritdoc cref="StorageConnection.FromConfiguration"/>
    public static QueueConnection FromConfiguration(IConfiguration configuration, string connectionName = "AzureWebJobsStorage") =>
        new(StorageConnection.FromConfiguration(configuration, connectionName));
}
