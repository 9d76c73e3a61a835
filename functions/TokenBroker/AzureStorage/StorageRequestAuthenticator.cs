namespace TokenBroker.AzureStorage;

/// <summary>Adds the Authorization header (and what it signs) to a storage request just before each attempt is sent.</summary>
internal abstract class StorageRequestAuthenticator
{
    public abstract ValueTask AuthenticateAsync(HttpRequestMessage request, CancellationToken cancellationToken);

    public static StorageRequestAuthenticator For(StorageConnection connection, TimeProvider time) => connection.Authentication switch
    {
        StorageAuthentication.SharedKey => new SharedKeyAuthenticator(connection.AccountName!, connection.AccountKey!, time),
        StorageAuthentication.BearerToken => new BearerTokenAuthenticator(connection.Credential!, time),
        _ => throw new ArgumentOutOfRangeException(nameof(connection), connection.Authentication, "Unknown authentication."),
    };
}
