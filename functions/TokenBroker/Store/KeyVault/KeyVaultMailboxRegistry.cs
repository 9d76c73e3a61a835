using System.Collections.Concurrent;
using System.Text;
using TokenBroker.Store.Locks;

namespace TokenBroker.Store.KeyVault;

/// <summary>
/// Mailboxes as JSON secrets ("mbx-" + HMAC of the address), tagged so an operator sees each mailbox's state and
/// token expiry in the portal without reading values. The address itself appears only inside the value.
/// <para>
/// With <paramref name="locks"/> every write takes the record's lock around its version check and write, and
/// <see cref="HoldAsync"/> keeps it from the keep-alive's read to its write, which then goes out without the check (one
/// read and one write per kept-alive mailbox). A version read under a hold carries the hold's id after a
/// <see cref="HoldMark"/>: only the flow that read it can write through the hold.
/// </para>
/// </summary>
internal sealed class KeyVaultMailboxRegistry(KeyVaultSecrets secrets, SecretNaming naming, IMailboxLocks? locks = null, TimeSpan? lockWait = null) : IMailboxRegistry
{
    private const string ContentType = "application/json";
    private const string SchemaVersion = "1";
    private const int ParallelReads = 8;
    private const char HoldMark = '~';

    /// <summary>How long an ordinary writer waits for a record's lock: longer than a lease, so a dead holder's runs out first.</summary>
    public static readonly TimeSpan DefaultLockWait = BlobMailboxLocks.LeaseDuration + TimeSpan.FromSeconds(10);

    private readonly ConcurrentDictionary<string, Hold> _holds = new(StringComparer.Ordinal);

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
        CheckIsMailbox(summary);
        var stored = await secrets.ReadAsync(summary.Id, cancellationToken).ConfigureAwait(false);
        return stored is null ? null : ToVersioned(stored);
    }

    public async Task<HeldMailbox?> HoldAsync(MailboxSummary summary, CancellationToken cancellationToken = default)
    {
        if (locks is null)
            return await GetAsync(summary, cancellationToken).ConfigureAwait(false) is { } read ? new HeldMailbox(read) : null;
        CheckIsMailbox(summary);
        var taken = await locks.TryAcquireAsync(summary.Id, TimeSpan.Zero, cancellationToken).ConfigureAwait(false);
        if (taken is null) return null;
        try
        {
            var stored = await secrets.ReadAsync(summary.Id, cancellationToken).ConfigureAwait(false);
            if (stored is null)
            {
                await taken.DisposeAsync().ConfigureAwait(false);
                return null;
            }
            var id = Guid.NewGuid().ToString("N");
            var hold = new Hold(summary.Id, taken, stored);
            _holds[id] = hold;
            return new HeldMailbox(ToVersioned(stored, id), async () =>
            {
                _holds.TryRemove(id, out _);
                await taken.DisposeAsync().ConfigureAwait(false);
            });
        }
        catch
        {
            await taken.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public int HoldGroupOf(MailboxSummary summary) => locks?.ShardOf(summary.Id) ?? 0;

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
        var (version, holdId) = Split(expectedVersion);
        if (holdId is not null && _holds.TryGetValue(holdId, out var hold) && hold.Name == name)
            return await SaveHeldAsync(write, version, verifyAfter, holdId, hold, cancellationToken).ConfigureAwait(false);

        await using var taken = await LockAsync(name, mailbox.Address, cancellationToken).ConfigureAwait(false);
        return ToVersioned(await secrets.WriteAsync(write, version, cancellationToken, verifyAfter).ConfigureAwait(false));
    }

    /// <summary>The holder's write: no read while the lock is certainly its own, the ordinary version check after that.</summary>
    private async Task<Versioned<Mailbox>> SaveHeldAsync(SecretWrite write, string? version, bool verifyAfter, string holdId, Hold hold, CancellationToken cancellationToken)
    {
        StoredSecret written;
        if (!hold.Lock.IsSafelyHeld)
            written = await secrets.WriteAsync(write, version, cancellationToken, verifyAfter).ConfigureAwait(false);
        else if (version != hold.Latest.Version)
            throw new StoreConcurrencyException(write.Item, version, hold.Latest.Version);
        else
            written = await secrets.WriteOverAsync(write, hold.Latest, cancellationToken).ConfigureAwait(false);
        hold.Latest = written;
        return ToVersioned(written, holdId);
    }

    public async Task DeleteAsync(string address, CancellationToken cancellationToken = default)
    {
        var name = await naming.MailboxAsync(address, cancellationToken).ConfigureAwait(false);
        await using var taken = await LockAsync(name, address, cancellationToken).ConfigureAwait(false);
        await secrets.DeleteAsync(name, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>An ordinary writer's lock on the record (none without locks); waits out another writer's.</summary>
    private async Task<IMailboxLock?> LockAsync(string name, string address, CancellationToken cancellationToken)
    {
        if (locks is null) return null;
        var wait = lockWait ?? DefaultLockWait;
        return await locks.TryAcquireAsync(name, wait, cancellationToken).ConfigureAwait(false)
               ?? throw new TimeoutException($"Mailbox {address} stayed locked by another writer for {wait}; nothing was changed.");
    }

    private static (string? Version, string? HoldId) Split(string? version)
    {
        var mark = version?.IndexOf(HoldMark, StringComparison.Ordinal) ?? -1;
        return mark < 0 ? (version, null) : (version![..mark], version[(mark + 1)..]);
    }

    private static void CheckIsMailbox(MailboxSummary summary)
    {
        ArgumentNullException.ThrowIfNull(summary);
        if (!summary.Id.StartsWith(SecretNaming.MailboxPrefix, StringComparison.Ordinal))
            throw new ArgumentException($"'{summary.Id}' is not a mailbox secret name of this store.", nameof(summary));
    }

    private static Versioned<Mailbox> ToVersioned(StoredSecret stored, string holdId) =>
        ToVersioned(stored) with { Version = stored.Version + HoldMark + holdId };

    /// <summary>A lock held from a read to the writes of the same flow, and the version those writes must start from.</summary>
    private sealed class Hold(string name, IMailboxLock taken, StoredSecret latest)
    {
        public string Name { get; } = name;

        public IMailboxLock Lock { get; } = taken;

        public StoredSecret Latest { get; set; } = latest;
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
