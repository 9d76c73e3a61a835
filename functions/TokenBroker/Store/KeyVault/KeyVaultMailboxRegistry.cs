using System.Globalization;
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

    public async Task<Versioned<Mailbox>?> GetAsync(string address, CancellationToken cancellationToken = default)
    {
        var name = await naming.MailboxAsync(address, cancellationToken).ConfigureAwait(false);
        var stored = await secrets.ReadAsync(name, cancellationToken).ConfigureAwait(false);
        return stored is null ? null : ToVersioned(stored);
    }

    public async Task<IReadOnlyList<Versioned<Mailbox>>> ListAsync(CancellationToken cancellationToken = default)
    {
        var names = await secrets.ListNamesAsync(SecretTags.MailboxKind, cancellationToken).ConfigureAwait(false);
        var mailboxes = new List<Versioned<Mailbox>>(names.Count);
        foreach (var name in names)
        {
            // Deleted between listing and reading: skip it like a list taken a moment later would.
            var stored = await secrets.ReadAsync(name, cancellationToken).ConfigureAwait(false);
            if (stored is not null) mailboxes.Add(ToVersioned(stored));
        }
        return mailboxes;
    }

    public async Task<Versioned<Mailbox>> SaveAsync(Mailbox mailbox, string? expectedVersion, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(mailbox);
        var name = await naming.MailboxAsync(mailbox.Address, cancellationToken).ConfigureAwait(false);
        var json = Encoding.UTF8.GetString(MailboxJson.Serialize(mailbox));
        var write = new SecretWrite(name, $"Mailbox {mailbox.Address}", json, ContentType, TagsOf(mailbox));
        var stored = await secrets.WriteAsync(write, expectedVersion, cancellationToken).ConfigureAwait(false);
        return ToVersioned(stored);
    }

    public async Task DeleteAsync(string address, CancellationToken cancellationToken = default)
    {
        var name = await naming.MailboxAsync(address, cancellationToken).ConfigureAwait(false);
        await secrets.DeleteAsync(name, cancellationToken).ConfigureAwait(false);
    }

    private static Versioned<Mailbox> ToVersioned(StoredSecret stored) =>
        new(MailboxJson.Deserialize(Encoding.UTF8.GetBytes(stored.Value), $"Secret '{stored.Name}'"), stored.Version);

    /// <summary>Operator-facing metadata: state, mode, protocols and times. No address, no reason text (it may quote a person).</summary>
    private static Dictionary<string, string> TagsOf(Mailbox mailbox)
    {
        var tags = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [SecretTags.Kind] = SecretTags.MailboxKind,
            [SecretTags.Schema] = SchemaVersion,
            ["state"] = mailbox.State.ToString(),
            ["mode"] = mailbox.Mode.ToString(),
            ["protocols"] = mailbox.Protocols.ToString().Replace(", ", "+", StringComparison.Ordinal),
            ["tenant"] = mailbox.TenantId,
        };
        if (mailbox.AccessTokenExpiresAt is { } expires) tags["tokenExpiresAt"] = Format(expires);
        if (mailbox.LastRefreshAt is { } refreshed) tags["lastRefreshAt"] = Format(refreshed);
        if (mailbox.PendingConsent is { } pending) tags["consentExpiresAt"] = Format(pending.ExpiresAt);
        return tags;
    }

    private static string Format(DateTimeOffset time) => time.ToUniversalTime().ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
}
