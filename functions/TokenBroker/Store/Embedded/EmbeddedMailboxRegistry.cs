namespace TokenBroker.Store.Embedded;

internal sealed class EmbeddedMailboxRegistry(EmbeddedStoreDatabase database) : IMailboxRegistry
{
    private const string Kind = "mailbox";

    public async Task<Versioned<Mailbox>?> GetAsync(string address, CancellationToken cancellationToken = default)
    {
        var stored = await database.ReadAsync(Kind, MailboxAddress.Normalize(address), cancellationToken).ConfigureAwait(false);
        return stored is null ? null : ToVersioned(stored);
    }

    public async Task<IReadOnlyList<Versioned<Mailbox>>> ListAsync(CancellationToken cancellationToken = default)
    {
        var items = await database.ListAsync(Kind, cancellationToken).ConfigureAwait(false);
        return items.Select(ToVersioned).ToList();
    }

    public async Task<Versioned<Mailbox>> SaveAsync(Mailbox mailbox, string? expectedVersion, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(mailbox);
        var key = MailboxAddress.Normalize(mailbox.Address);
        var json = MailboxJson.Serialize(mailbox);
        var version = await database.WriteAsync(Kind, key, $"Mailbox {mailbox.Address}", json, expectedVersion, cancellationToken).ConfigureAwait(false);
        return new Versioned<Mailbox>(mailbox, version);
    }

    public Task DeleteAsync(string address, CancellationToken cancellationToken = default) =>
        database.DeleteAsync(Kind, MailboxAddress.Normalize(address), cancellationToken);

    private static Versioned<Mailbox> ToVersioned(StoredItem item) =>
        new(MailboxJson.Deserialize(item.Data, $"Stored mailbox '{item.Key}'"), item.Version);
}
