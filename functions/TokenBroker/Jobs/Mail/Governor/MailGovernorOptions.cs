namespace TokenBroker.Jobs.Mail.Governor;

/// <summary>Per sending mailbox, settings "Mail:Governor". Defaults are Exchange Online's limits.</summary>
public sealed class MailGovernorOptions
{
    public const string Section = "Mail:Governor";

    public int MessagesPerMinute { get; set; } = 30;

    /// <summary>SMTP connections open at once (in use or idle in the pool).</summary>
    public int MaxConnections { get; set; } = 3;

    /// <summary>Recipients (To + Cc + Bcc) per rolling 24 hours.</summary>
    public int RecipientsPerDay { get; set; } = 10_000;

    /// <summary>An authenticated connection unused this long is closed.</summary>
    public TimeSpan IdleConnectionTimeout { get; set; } = TimeSpan.FromSeconds(60);

    public void Validate()
    {
        if (MessagesPerMinute < 1) throw new InvalidOperationException($"Setting '{Section}:MessagesPerMinute' must be at least 1; it is {MessagesPerMinute}.");
        if (MaxConnections < 1) throw new InvalidOperationException($"Setting '{Section}:MaxConnections' must be at least 1; it is {MaxConnections}.");
        if (RecipientsPerDay < 1) throw new InvalidOperationException($"Setting '{Section}:RecipientsPerDay' must be at least 1; it is {RecipientsPerDay}.");
        if (IdleConnectionTimeout <= TimeSpan.Zero) throw new InvalidOperationException($"Setting '{Section}:IdleConnectionTimeout' must be positive; it is {IdleConnectionTimeout}.");
    }
}
