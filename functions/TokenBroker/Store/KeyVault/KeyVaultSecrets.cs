using Azure;
using Azure.Security.KeyVault.Secrets;

namespace TokenBroker.Store.KeyVault;

/// <summary>
/// Versioned reads and writes of single secrets, shared by the Key Vault registry, token cache store and broker keys.
/// </summary>
/// <remarks>
/// Key Vault has no conditional PUT (no If-Match on secrets), so optimistic concurrency is emulated:
/// right before writing, the latest version is read and compared with the caller's expected version, and every
/// write carries a "generation" tag one above the version it replaced. After the write the latest version is read
/// again; if another version of the same (or an older) generation landed after ours, two writers raced from the
/// same base and ours was overwritten, so the caller gets <see cref="StoreConcurrencyException"/> and retries.
/// This narrows the race but cannot close it: a writer whose read-compare-write-verify runs entirely inside
/// another writer's read-to-write gap succeeds and is then silently overwritten. The callers (one refresh per
/// mailbox at a time, consent callbacks) make that rare; the mailbox records rule it out with a lease when the
/// store has mailbox locks (Store/Locks), and their keep-alive then writes with <see cref="WriteOverAsync"/>.
/// <para>
/// Soft delete: a name whose secret was deleted stays reserved until purged (409 Conflict on PUT). Creating such a
/// name recovers the deleted secret and then writes the new value over it. Recovering rather than purging works
/// with purge protection on and needs no purge permission (which a broker identity should not have); the cost is
/// that the old versions come back into the secret's history, where they were anyway until the purge date.
/// </para>
/// </remarks>
internal sealed class KeyVaultSecrets(SecretClient client, KeyVaultTokenStoreOptions options, TimeProvider timeProvider)
{
    public SecretClient Client => client;

    /// <summary>The latest version, or null when the secret does not exist (or is soft-deleted).</summary>
    public async Task<StoredSecret?> ReadAsync(string name, CancellationToken cancellationToken)
    {
        try
        {
            var response = await client.GetSecretAsync(name, version: null, cancellationToken).ConfigureAwait(false);
            return StoredSecret.From(response.Value);
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return null;
        }
    }

    /// <param name="verifyAfter">Read the latest version back to detect a writer from the same base landing just after ours.</param>
    public async Task<StoredSecret> WriteAsync(SecretWrite write, string? expectedVersion, CancellationToken cancellationToken, bool verifyAfter = true)
    {
        var current = await ReadAsync(write.Name, cancellationToken).ConfigureAwait(false);
        if (current?.Version != expectedVersion)
            throw new StoreConcurrencyException(write.Item, expectedVersion, current?.Version);
        if (current is not null && write.IsSatisfiedBy(current))
            return current;

        var generation = (current?.Generation ?? 0) + 1;
        KeyVaultSecret written;
        try
        {
            written = await SetAsync(write, generation, cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException e) when (e.Status == 409 && current is null)
        {
            var recovered = await RecoverDeletedAsync(write.Name, cancellationToken).ConfigureAwait(false);
            written = await SetAsync(write, recovered.Generation + 1, cancellationToken).ConfigureAwait(false);
            generation = recovered.Generation + 1;
        }

        if (!verifyAfter) return StoredSecret.From(written);
        var latest = await ReadAsync(write.Name, cancellationToken).ConfigureAwait(false);
        if (latest is not null && latest.Version != written.Properties.Version && latest.Generation <= generation)
            throw new StoreConcurrencyException(write.Item, expectedVersion, latest.Version);
        return StoredSecret.From(written);
    }

    /// <summary>
    /// Writes over <paramref name="current"/> without reading first: for a writer holding the record's lock since it
    /// read <paramref name="current"/> (no one else can have written). Writes nothing when it already holds the value.
    /// </summary>
    public async Task<StoredSecret> WriteOverAsync(SecretWrite write, StoredSecret current, CancellationToken cancellationToken)
    {
        if (write.IsSatisfiedBy(current)) return current;
        return StoredSecret.From(await SetAsync(write, current.Generation + 1, cancellationToken).ConfigureAwait(false));
    }

    /// <summary>Writes a fresh secret without concurrency checks (first-writer-wins is decided by the caller); recovers a soft-deleted name first.</summary>
    public async Task CreateAsync(SecretWrite write, CancellationToken cancellationToken)
    {
        try
        {
            await SetAsync(write, 1, cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException e) when (e.Status == 409)
        {
            await RecoverDeletedAsync(write.Name, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Soft-deletes the secret (no wait for the deletion to finish); no-op when absent.</summary>
    public async Task DeleteAsync(string name, CancellationToken cancellationToken)
    {
        try
        {
            await client.StartDeleteSecretAsync(name, cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
        }
    }

    /// <summary>
    /// Name and tags of the enabled secrets tagged with that kind, from the listing pages only (Key Vault lists
    /// properties, never values: one GET per page of up to 25 secrets).
    /// </summary>
    public async Task<IReadOnlyList<(string Name, IReadOnlyDictionary<string, string> Tags)>> ListAsync(string kind, CancellationToken cancellationToken)
    {
        var listed = new List<(string, IReadOnlyDictionary<string, string>)>();
        await foreach (var properties in client.GetPropertiesOfSecretsAsync(cancellationToken).ConfigureAwait(false))
        {
            if (properties.Enabled != false
                && properties.Tags.TryGetValue(SecretTags.Kind, out var tagged) && tagged == kind)
                listed.Add((properties.Name, properties.Tags.AsReadOnly()));
        }
        return listed;
    }

    /// <summary>
    /// The earliest enabled version (by creation time, then version id), or null when the secret has none.
    /// Every instance agrees on it, which makes "first writer wins" possible without a conditional PUT.
    /// </summary>
    public async Task<StoredSecret?> ReadFirstVersionAsync(string name, CancellationToken cancellationToken)
    {
        var versions = new List<SecretProperties>();
        try
        {
            await foreach (var properties in client.GetPropertiesOfSecretVersionsAsync(name, cancellationToken).ConfigureAwait(false))
                if (properties.Enabled != false) versions.Add(properties);
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return null;
        }
        var first = versions
            .OrderBy(v => v.CreatedOn ?? DateTimeOffset.MaxValue)
            .ThenBy(v => v.Version, StringComparer.Ordinal)
            .FirstOrDefault();
        if (first is null) return null;
        var response = await client.GetSecretAsync(name, first.Version, cancellationToken).ConfigureAwait(false);
        return StoredSecret.From(response.Value);
    }

    private async Task<KeyVaultSecret> SetAsync(SecretWrite write, long generation, CancellationToken cancellationToken)
    {
        var secret = new KeyVaultSecret(write.Name, write.Value);
        secret.Properties.ContentType = write.ContentType;
        foreach (var (key, value) in write.Tags) secret.Properties.Tags[key] = value;
        secret.Properties.Tags[SecretTags.Generation] = generation.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var response = await client.SetSecretAsync(secret, cancellationToken).ConfigureAwait(false);
        return response.Value;
    }

    private async Task<StoredSecret> RecoverDeletedAsync(string name, CancellationToken cancellationToken)
    {
        // A deletion still in progress answers 409 to recovery as well; it finishes within seconds.
        var deadline = timeProvider.GetUtcNow() + options.DeletedSecretRecoveryTimeout;
        while (true)
        {
            try
            {
                var operation = await client.StartRecoverDeletedSecretAsync(name, cancellationToken).ConfigureAwait(false);
                await operation.WaitForCompletionAsync(cancellationToken).ConfigureAwait(false);
                return await ReadAsync(name, cancellationToken).ConfigureAwait(false)
                    ?? throw new InvalidOperationException($"Secret '{name}' was recovered from soft delete but cannot be read.");
            }
            catch (RequestFailedException e) when (e.Status == 409 && timeProvider.GetUtcNow() < deadline)
            {
                await Task.Delay(TimeSpan.FromSeconds(1), timeProvider, cancellationToken).ConfigureAwait(false);
            }
        }
    }
}
