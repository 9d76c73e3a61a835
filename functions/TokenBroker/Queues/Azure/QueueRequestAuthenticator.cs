namespace TokenBroker.Queues;

/// <summary>Adds the Authorization header (and what it signs) to a request just before each attempt is sent.</summary>
internal abstract class QueueRequestAuthenticator
{
    public abstract ValueTask AuthenticateAsync(HttpRequestMessage request, CancellationToken cancellationToken);

    public static QueueRequestAuthenticator For(QueueConnection connection, TimeProvider time) => connection.Authentication switch
    {
        QueueAuthentication.SharedKey => new SharedKeyAuthenticator(connection.AccountName!, connection.AccountKey!, time),
        QueueAuthentication.BearerToken => new BearerTokenAuthenticator(connection.Credential!, time),
        _ => throw new ArgumentOutOfRangeException(nameof(connection), connection.Authentication, "Unknown authentication."),
    };
}
