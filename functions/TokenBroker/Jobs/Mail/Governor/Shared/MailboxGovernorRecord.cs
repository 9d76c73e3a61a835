namespace TokenBroker.Jobs.Mail.Governor.Shared;

/// <summary>
/// One mailbox's shared counters, as stored (a JSON blob on Azure, a row standalone): the send times still inside the
/// window (at most MessagesPerWindow of them), recipients per hour of the last day, and a server-imposed back-off.
/// The rules live here so every store applies the same ones inside its own read-modify-write.
/// </summary>
public sealed class MailboxGovernorRecord
{
    /// <summary>UTC ticks of the messages admitted within the window.</summary>
    public List<long> Messages { get; set; } = [];

    /// <summary>Recipients per hour (key: UTC ticks of the hour's start). An hour's recipients count until a day has passed since its latest one, so the count errs high, never low, with at most 25 entries.</summary>
    public Dictionary<long, RecipientHour> RecipientHours { get; set; } = [];

    public long? BackedOffUntil { get; set; }

    public string? BackOffReason { get; set; }

    /// <summary>Drops what has left the window and the day.</summary>
    public void Prune(DateTimeOffset now, TimeSpan window)
    {
        var windowStart = (now - window).UtcTicks;
        Messages.RemoveAll(at => at <= windowStart);
        var dayStart = (now - TimeSpan.FromDays(1)).UtcTicks;
        foreach (var hour in RecipientHours.Where(entry => entry.Value.Latest <= dayStart).Select(entry => entry.Key).ToList())
            RecipientHours.Remove(hour);
        if (BackedOffUntil is { } until && until <= now.UtcTicks)
        {
            BackedOffUntil = null;
            BackOffReason = null;
        }
    }

    public long RecipientsToday => RecipientHours.Values.Sum(hour => hour.Count);

    /// <summary>Applies an admission at <paramref name="now"/>; the record changes only when it is granted.</summary>
    public Admission Admit(DateTimeOffset now, int recipients, bool takeMessage, GovernorLimits limits)
    {
        Prune(now, limits.Window);
        if (BackedOffUntil is { } until)
            return new Admission(AdmissionResult.BackedOff, TimeSpan.FromTicks(until - now.UtcTicks), BackOffReason, limits.RecipientsPerDay - RecipientsToday);
        // More recipients than a whole day allows can never fit: ask for the whole day, which fails until it is all free.
        var wanted = Math.Min(recipients, limits.RecipientsPerDay);
        var left = limits.RecipientsPerDay - RecipientsToday;
        if (wanted > left)
            return new Admission(AdmissionResult.RecipientsSpent, TimeSpan.FromHours(1), null, left);
        if (takeMessage && Messages.Count >= limits.MessagesPerWindow)
        {
            var oldest = Messages.Min();
            return new Admission(AdmissionResult.WindowFull, TimeSpan.FromTicks(Math.Max(0, oldest + limits.Window.Ticks - now.UtcTicks)), null, left);
        }
        if (takeMessage) Messages.Add(now.UtcTicks);
        if (wanted > 0)
        {
            var hour = now.UtcTicks - now.UtcTicks % TimeSpan.TicksPerHour;
            RecipientHours[hour] = new RecipientHour((RecipientHours.GetValueOrDefault(hour)?.Count ?? 0) + wanted, now.UtcTicks);
        }
        return Admission.Grant(left - wanted);
    }

    /// <summary>Sets the back-off unless one reaching as far is already set; true when this call set it.</summary>
    public bool BackOff(DateTimeOffset now, DateTimeOffset until, string reason)
    {
        if (BackedOffUntil is { } ended && ended <= now.UtcTicks)
            (BackedOffUntil, BackOffReason) = (null, null);
        if (BackedOffUntil is { } current && current >= until.UtcTicks) return false;
        var alreadyBackedOff = BackedOffUntil is not null;
        BackedOffUntil = until.UtcTicks;
        BackOffReason = reason;
        // Extending a running back-off is the same episode: one event for it.
        return !alreadyBackedOff;
    }

    public GovernorSnapshot Snapshot(DateTimeOffset now, TimeSpan window, int connectionsInUse)
    {
        Prune(now, window);
        return new GovernorSnapshot(connectionsInUse, Messages.Count, RecipientsToday,
            BackedOffUntil is { } until ? new DateTimeOffset(until, TimeSpan.Zero) : null, BackOffReason);
    }
}

/// <summary>Recipients admitted within one hour, and when the latest of them was.</summary>
public sealed record RecipientHour(long Count, long Latest);
