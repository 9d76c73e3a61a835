namespace TokenBroker.Jobs.Mail.Governor.Shared;

/// <summary>
/// Where a mailbox's send limits are counted: shared by every broker instance (SQLite file standalone, Azure Storage on
/// Azure) or kept in this process (<see cref="LocalGovernorState"/>). Every call is one short read-modify-write; waiting
/// is the caller's (<see cref="SendGovernor"/>), so no storage lock is ever held while a message waits.
/// </summary>
public interface IGovernorState
{
    /// <summary>Takes one message from the mailbox's window and <paramref name="recipients"/> from its rolling day, both or neither.</summary>
    Task<Admission> TryAdmitAsync(string mailbox, int recipients, GovernorLimits limits, CancellationToken cancellationToken);

    /// <summary>Takes only recipients from the rolling day (no message from the window).</summary>
    Task<Admission> TryTakeRecipientsAsync(string mailbox, int recipients, GovernorLimits limits, CancellationToken cancellationToken);

    /// <summary>One of the mailbox's MaxConnections slots, or null when every slot is held by a live instance.</summary>
    Task<IConnectionSlot?> TryAcquireConnectionAsync(string mailbox, GovernorLimits limits, CancellationToken cancellationToken);

    /// <summary>
    /// The server throttled the mailbox: nobody sends before <paramref name="until"/>. True for the caller that set this
    /// back-off (a later report of the same one extends nothing and returns false), so exactly one event is raised.
    /// </summary>
    Task<bool> BackOffAsync(string mailbox, DateTimeOffset until, string reason, CancellationToken cancellationToken);

    /// <summary>The mailbox's counters as every instance sees them (for status).</summary>
    Task<GovernorSnapshot> ReadAsync(string mailbox, GovernorLimits limits, CancellationToken cancellationToken);

    /// <summary>Storage requests made so far by this process (reads, writes, lease calls): the cost the benchmark reports.</summary>
    long StorageOperations { get; }

    /// <summary>"local", "sqlite" or "azureblob".</summary>
    string Kind { get; }
}

/// <summary>The limits a call counts against (from <see cref="MailGovernorOptions"/>; the window includes its margin).</summary>
public sealed record GovernorLimits(int MessagesPerWindow, TimeSpan Window, int RecipientsPerDay, int MaxConnections, TimeSpan SlotLease)
{
    public static GovernorLimits From(MailGovernorOptions options) =>
        new(options.MessagesPerMinute, options.Window + options.WindowMargin, options.RecipientsPerDay, options.MaxConnections, options.SlotLease);
}

/// <summary>The answer to an admission: granted, or when to ask again and why not now.</summary>
public sealed record Admission(AdmissionResult Result, TimeSpan RetryAfter, string? Reason, long RecipientsLeft)
{
    public bool Granted => Result == AdmissionResult.Granted;
    public static Admission Grant(long recipientsLeft) => new(AdmissionResult.Granted, TimeSpan.Zero, null, recipientsLeft);
}

public enum AdmissionResult
{
    Granted,
    /// <summary>The window holds MessagesPerMinute messages already; <see cref="Admission.RetryAfter"/> is when the oldest leaves.</summary>
    WindowFull,
    /// <summary>The rolling day's recipients are spent.</summary>
    RecipientsSpent,
    /// <summary>The server throttled the mailbox; <see cref="Admission.Reason"/> says what it answered.</summary>
    BackedOff,
}

/// <summary>A connection slot held by this instance; kept alive by renewals until disposed (an instance that dies loses it within SlotLease).</summary>
public interface IConnectionSlot : IAsyncDisposable
{
    /// <summary>False once a renewal found the slot taken over (the lease ran out): the connection must be closed, not kept idle.</summary>
    bool IsHeld { get; }
}

/// <summary>What status shows of a mailbox's governor.</summary>
public sealed record GovernorSnapshot(int ConnectionsInUse, int MessagesInWindow, long RecipientsToday, DateTimeOffset? BackedOffUntil, string? BackOffReason);
