namespace TokenBroker.Jobs.Mail.Governor;

/// <summary>Per sending mailbox, settings "Mail:Governor". Defaults are Exchange Online's limits.</summary>
public sealed class MailGovernorOptions
{
    public const string Section = "Mail:Governor";

    /// <summary>Messages per <see cref="Window"/> (Exchange: 30 a minute).</summary>
    public int MessagesPerMinute { get; set; } = 30;

    /// <summary>The window MessagesPerMinute counts over; one minute but for tests that cannot wait minutes.</summary>
    public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// Added to <see cref="Window"/> when counting: a message reaches the server a little after its turn was granted
    /// (the shared write, the SMTP round trips), so a server counting on its own clock could otherwise see one message too many.
    /// </summary>
    public TimeSpan WindowMargin { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>SMTP connections open at once (in use or idle in the pool), over all instances sharing the state.</summary>
    public int MaxConnections { get; set; } = 3;

    /// <summary>Recipients (To + Cc + Bcc) per rolling 24 hours.</summary>
    public int RecipientsPerDay { get; set; } = 10_000;

    /// <summary>An authenticated connection unused this long is closed (and its slot freed for other instances).</summary>
    public TimeSpan IdleConnectionTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Where the counters live: "Local" (this process only), "Sqlite" (a file every process on the machine shares) or
    /// "AzureBlob" (the storage account every instance shares). Empty: follows the ledger (Ledger:Kind).
    /// </summary>
    public string SharedState { get; set; } = "";

    /// <summary>How long a connection slot outlives an instance that stopped renewing it (Azure blob leases: 15-60 s).</summary>
    public TimeSpan SlotLease { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long a message waits in the worker for its turn (the queue's lease is renewed meanwhile); past it the message
    /// goes back to the queue and is retried later. Keep it under the function timeout.
    /// </summary>
    public TimeSpan MaxWait { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How often a message waiting for a connection slot asks again (randomised ±50 % so instances spread out).</summary>
    public TimeSpan SlotPollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Back-off for everyone after 432 4.3.2 or 450/451 4.7.x (unless the server suggests its own).</summary>
    public TimeSpan ThrottledBackoff { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Back-off for everyone after 550 5.2.251-255 or 554 5.2.0 (Exchange blocks for hours).</summary>
    public TimeSpan BlockedBackoff { get; set; } = TimeSpan.FromHours(1);

    /// <summary>SharedState Sqlite: the database file; empty means governor.db in Broker:DataDirectory.</summary>
    public string DatabasePath { get; set; } = "";

    /// <summary>SharedState AzureBlob: the container (created when missing).</summary>
    public string ContainerName { get; set; } = "tokenbroker-governor";

    public void Validate()
    {
        if (MessagesPerMinute < 1) throw new InvalidOperationException($"Setting '{Section}:MessagesPerMinute' must be at least 1; it is {MessagesPerMinute}.");
        if (MaxConnections < 1) throw new InvalidOperationException($"Setting '{Section}:MaxConnections' must be at least 1; it is {MaxConnections}.");
        if (RecipientsPerDay < 1) throw new InvalidOperationException($"Setting '{Section}:RecipientsPerDay' must be at least 1; it is {RecipientsPerDay}.");
        if (IdleConnectionTimeout <= TimeSpan.Zero) throw new InvalidOperationException($"Setting '{Section}:IdleConnectionTimeout' must be positive; it is {IdleConnectionTimeout}.");
        if (Window <= TimeSpan.Zero || Window > TimeSpan.FromHours(1)) throw new InvalidOperationException($"Setting '{Section}:Window' must be positive and at most an hour; it is {Window}.");
        if (WindowMargin < TimeSpan.Zero || WindowMargin > Window) throw new InvalidOperationException($"Setting '{Section}:WindowMargin' must be between zero and the window ({Window}); it is {WindowMargin}.");
        if (SlotLease < TimeSpan.FromSeconds(1) || SlotLease > TimeSpan.FromSeconds(60)) throw new InvalidOperationException($"Setting '{Section}:SlotLease' must be between 1 and 60 seconds (AzureBlob: at least 15); it is {SlotLease}.");
        if (MaxWait < TimeSpan.Zero) throw new InvalidOperationException($"Setting '{Section}:MaxWait' must not be negative; it is {MaxWait}.");
        if (SlotPollInterval <= TimeSpan.Zero) throw new InvalidOperationException($"Setting '{Section}:SlotPollInterval' must be positive; it is {SlotPollInterval}.");
        if (ThrottledBackoff <= TimeSpan.Zero || BlockedBackoff <= TimeSpan.Zero) throw new InvalidOperationException($"Settings '{Section}:ThrottledBackoff' and '{Section}:BlockedBackoff' must be positive.");
    }
}
