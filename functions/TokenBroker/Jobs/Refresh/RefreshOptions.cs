namespace TokenBroker.Jobs.Refresh;

/// <summary>The "Refresh" section: how often the keep-alive redeems each mailbox's refresh token, and how hard it may push the identity provider.</summary>
public sealed class RefreshOptions
{
    public const string Section = "Refresh";

    /// <summary>
    /// A mailbox is kept alive (its refresh token redeemed and the new one stored) at most this long after the
    /// last time. Below a day, so the stored refresh token is always younger than a day even after a missed sweep.
    /// </summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromHours(20);

    /// <summary>
    /// Each mailbox comes due at its own fixed point up to this much before <see cref="Interval"/> (from a hash of
    /// its store key), so mailboxes connected together do not stay due together.
    /// </summary>
    public TimeSpan Spread { get; set; } = TimeSpan.FromHours(2);

    /// <summary>
    /// Ceiling of the sweep's token requests at the identity provider at once; the sweep lowers it while the provider
    /// answers 429 or 5xx. Up to twice as many keep-alives are in progress, reading or writing the store meanwhile.
    /// </summary>
    public int MaxConcurrency { get; set; } = 8;

    /// <summary>Longest pause of the whole sweep after a Retry-After; a longer one ends the sweep (the rest stay due for the next).</summary>
    public TimeSpan MaxPause { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>One mailbox's keep-alive is abandoned (and retried after a back-off) after this.</summary>
    public TimeSpan MailboxTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>First wait after a transient failure; doubled per consecutive failure up to <see cref="MaxBackoff"/>.</summary>
    public TimeSpan InitialBackoff { get; set; } = TimeSpan.FromMinutes(5);

    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromHours(1);
}
