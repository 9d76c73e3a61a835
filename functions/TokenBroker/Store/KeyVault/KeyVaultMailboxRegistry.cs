using System.Text;

namespace TokenBroker.Store.KeyVault;

/// <summary>
/// Mailboxes as JSON secrets ("mbx-" + HMAC of the address), tagged so an operator sees each mailbox's state and
/// token expiry in the portal without reading values. The address itself appears only inside the value.
/// </summary>
internal sealed class KeyVaultMailboxRegistry(KeyVaultSecrets secrets, SecretNaming naming) : IMailboxRegistry
{
    private const string ContentType = "application/json";
    private const string SchemaVersion = "1";
    private const int ParallelReads = 8;

    public async Task<Versioned<Mailbox>?> GetAsync(string address, CancellationToken cancellationToken = default)
    {
        var name = await naming.MailboxAsync(address, cancellationToken).ConfigureAwait(false);
        var stored = await secrets.ReadAsync(name, cancellationToken).ConfigureAwait(false);
        return stored is null ? null : ToVersioned(stored);
    }

    public async Task<IReadOnlyList<Versioned<Mailbox>>> ListAsync(CancellationToken cancellationToken = default)
    {
        var listed = await secrets.ListAsync(SecretTags.MailboxKind, cancellationToken).ConfigureAwait(false);
        var mailboxes = new Versioned<Mailbox>?[listed.Count];
        // Values need one GET each; a few at a time keeps a large status listing from taking minutes while staying
        // well inside the vault's GET budget (the client's retry policy waits out any 429).
        await Parallel.ForAsync(0, listed.Count, new ParallelOptions { MaxDegreeOfParallelism = ParallelReads, CancellationToken = cancellationToken },
            async (i, ct) =>
            {
                // Deleted between listing and reading: skip it like a list taken a moment later would.
                var stored = await secrets.ReadAsync(listed[i].Name, ct).ConfigureAwait(false);
                if (stored is not null) mailboxes[i] = ToVersioned(stored);
            }).ConfigureAwait(false);
        return mailboxes.OfType<Versioned<Mailbox>>().ToList();
    }

    public async Task<IReadOnlyList<MailboxSummary>> ListSummariesAsync(CancellationToken cancellationToken = default)
    {
        var listed = await secrets.ListAsync(SecretTags.MailboxKind, cancellationToken).ConfigureAwait(false);
        return listed.Select(secret => MailboxMetadata.Summarize(secret.Name, secret.Tags)).ToList();
    }

    public async Task<Versioned<Mailbox>?> GetAsync(MailboxSummary summary, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(summary);
        if (!summary.Id.StartsWith(SecretNaming.MailboxPrefix, StringComparison.Ordinal))
            throw new ArgumentException($"'{summary.Id}' is not a mailbox secret name of this store.", nameof(summary));
        var stored = await secrets.ReadAsync(summary.Id, cancellationToken).ConfigureAwait(false);
        return stored is null ? null : ToVersioned(stored);
    }

    public Task<Versioned<Mailbox>> SaveAsync(Mailbox mailbox, string? expectedVersion, CancellationToken cancellationToken = default) =>
        SaveAsync(mailbox, expectedVersion, verifyAfter: true, cancellationToken);

    public Task<Versioned<Mailbox>> SaveRefreshedAsync(Mailbox mailbox, string expectedVersion, CancellationToken cancellationToken = default) =>
        SaveAsync(mailbox, expectedVersion, verifyAfter: false, cancellationToken);

    private async Task<Versioned<Mailbox>> SaveAsync(Mailbox mailbox, string? expectedVersion, bool verifyAfter, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(mailbox);
        var name = await naming.MailboxAsync(mailbox.Address, cancellationToken).ConfigureAwait(false);
        var json = Encoding.UTF8.GetString(MailboxJson.Serialize(mailbox));
        var write = new SecretWrite(name, $"Mailbox {mailbox.Address}", json, ContentType, TagsOf(mailbox));
        var stored = await secrets.WriteAsync(write, expectedVersion, cancellationToken, verifyAfter).ConfigureAwait(false);
        return ToVersioned(stored);
    }

    public async Task DeleteAsync(string address, CancellationToken cancellationToken = default)
    {
        var name = await naming.MailboxAsync(address, cancellationToken).ConfigureAwait(false);
        await secrets.DeleteAsync(name, cancellationToken).ConfigureAwait(false);
    }

    private static Versioned<Mailbox> ToVersioned(StoredSecret stored) =>
        new(MailboxJson.Deserialize(Encoding.UTF8.GetBytes(stored.Value), $"Secret '{stored.Name}'"), stored.Version);

    /// <summary>Operator-facing metadata the refresh timer also decides on; no address, no reason text.</summary>
    private static Dictionary<string, string> TagsOf(Mailbox mailbox)
    {
        var tags = MailboxMetadata.Of(mailbox);
        tags[SecretTags.Kind] = SecretTags.MailboxKind;
        tags[SecretTags.Schema] = SchemaVersion;
        return tags;
    }
}
