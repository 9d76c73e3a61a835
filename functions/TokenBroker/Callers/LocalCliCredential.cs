using TokenBroker.Sqlite;

namespace TokenBroker.Callers;

/// <summary>
/// The credential the CLI on the broker's own machine uses (`tokenbroker status`, `mail enqueue`): `serve` creates
/// a client "local-cli" on first start and writes its secret to cli.credential in the data folder, mode 0600, so
/// only the user the broker runs as can read it. There is no loopback exemption: this file is what "local" means.
/// </summary>
public static class LocalCliCredential
{
    public const string FileName = "cli.credential";
    public const string ClientName = "local-cli";

    public static string PathIn(string dataDirectory) => Path.Combine(dataDirectory, FileName);

    /// <summary>Creates the client and the file unless both are there and agree.</summary>
    public static async Task EnsureAsync(IClientRegistry registry, string dataDirectory, TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        var path = PathIn(dataDirectory);
        if (File.Exists(path)
            && ClientSecret.TryParse((await File.ReadAllTextAsync(path, cancellationToken).ConfigureAwait(false)).Trim(), out var id, out var random)
            && await registry.FindByIdAsync(id, cancellationToken).ConfigureAwait(false) is { } existing
            && ClientSecret.Matches(random, existing.SecretHash))
            return;

        await registry.RemoveAsync(ClientName, cancellationToken).ConfigureAwait(false);
        File.Delete(path);
        var (newId, secret, hash) = ClientSecret.Create();
        await registry.AddAsync(new BrokerClient(newId, ClientName, hash, MailboxScope.Everything, CallerOperations.All, timeProvider.GetUtcNow()),
            cancellationToken).ConfigureAwait(false);
        PrivateFiles.WriteNew(path, secret + "\n");
    }

    /// <summary>The secret from the file, or null when there is none (or it cannot be read by this user).</summary>
    public static string? TryRead(string dataDirectory)
    {
        try
        {
            var path = PathIn(dataDirectory);
            return File.Exists(path) ? File.ReadAllText(path).Trim() : null;
        }
        catch (Exception e) when (e is UnauthorizedAccessException or IOException)
        {
            return null;
        }
    }
}
