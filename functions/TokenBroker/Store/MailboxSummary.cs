namespace TokenBroker.Store;

/// <summary>
/// What a store can say about a mailbox from its listing metadata alone (Key Vault: the secret's tags; embedded: the
/// row's summary column), without reading or decrypting the record: enough to decide whether the refresh timer must
/// look at it. A null field means the metadata does not say (e.g. written by an older broker): treat it as unknown.
/// </summary>
/// <param name="Id">The store's own key for the record (a secret name or a row key); opaque, pass it back to <see cref="IMailboxRegistry.GetAsync(MailboxSummary, CancellationToken)"/>.</param>
public sealed record MailboxSummary(
    string Id,
    MailboxState? State,
    DateTimeOffset? AccessTokenExpiresAt,
    DateTimeOffset? LastRefreshAt,
    DateTimeOffset? NextAttemptAt)
{
    /// <summary>The summary the metadata of <paramref name="mailbox"/> gives (for deciding on a record already read).</summary>
    public static MailboxSummary Of(string id, Mailbox mailbox) =>
        new(id, mailbox.State, mailbox.AccessTokenExpiresAt, mailbox.LastRefreshAt, mailbox.Backoff?.NextAttemptAt);
}
