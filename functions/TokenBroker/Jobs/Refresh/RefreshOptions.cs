namespace TokenBroker.Jobs.Refresh;

/// <summary>The "Refresh" section: when the timer refreshes a mailbox, and how hard it pushes the identity provider.</summary>
public sealed class RefreshOptions
{
    public const string Section = "Refresh";

    /// <summary>Refresh when the access token expires within this.</summary>
    public TimeSpan Margin { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Refresh at least this often regardless, so refresh tokens stay far from the 90-day inactivity limit.</summary>
    public TimeSpan MaxInterval { get; set; } = TimeSpan.FromHours(24);

    /// <summary>Each refresh starts after a random delay below this, so instances and mailboxes do not hit the provider at once.</summary>
    public TimeSpan Jitter { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>Refreshes running at once in one sweep.</summary>
    public int MaxConcurrency { get; set; } = 8;

    /// <summary>One mailbox's refresh is abandoned (and retried next sweep) after this.</summary>
    public TimeSpan MailboxTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>First wait after a transient failure; doubled per consecutive failure up to <see cref="MaxBackoff"/>.</summary>
    public TimeSpan InitialBackoff { get; set; } = TimeSpan.FromMinutes(5);

    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromHours(1);
}
