using System.Text.Json;

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

    public async Task<IReadOnlyList<MailboxSummary>> ListSummariesAsync(CancellationToken cancellationToken = default)
    {
        var items = await database.ListSummariesAsync(Kind, cancellationToken).ConfigureAwait(false);
        return items.Select(item => MailboxMetadata.Summarize(item.Key, ParseSummary(item.Summary))).ToList();
    }

    public Task<Versioned<Mailbox>?> GetAsync(MailboxSummary summary, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(summary);
        return GetAsync(summary.Id, cancellationToken);
    }

    public async Task<Versioned<Mailbox>> SaveAsync(Mailbox mailbox, string? expectedVersion, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(mailbox);
        var key = MailboxAddress.Normalize(mailbox.Address);
        var json = MailboxJson.Serialize(mailbox);
        var summary = JsonSerializer.Serialize(MailboxMetadata.Of(mailbox));
        var version = await database.WriteAsync(Kind, key, $"Mailbox {mailbox.Address}", json, summary, expectedVersion, cancellationToken).ConfigureAwait(false);
        return new Versioned<Mailbox>(mailbox, version);
    }

    public Task DeleteAsync(string address, CancellationToken cancellationToken = default) =>
        database.DeleteAsync(Kind, MailboxAddress.Normalize(address), cancellationToken);

    /// <summary>A summary that is missing or unreadable says nothing: the record decides.</summary>
    private static Dictionary<string, string>? ParseSummary(string? json)
    {
        if (json is null) return null;
        try
        {
            return JsonSerializer.Deserialize<Dictionary<string, string>>(json);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static Versioned<Mailbox> ToVersioned(StoredItem item) =>
        new(MailboxJson.Deserialize(item.Data, $"Stored mailbox '{item.Key}'"), item.Version);
}
