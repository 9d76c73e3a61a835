using System.Text.Json.Serialization;

namespace TokenBroker.Jobs.Mail.Governor.Shared;

/// <summary>
/// One mailbox's shared counters, as stored (a JSON blob on Azure, a row standalone): the messages still inside the
/// window, recipients per hour of the last day, and a server-imposed back-off. The rules live here so every store
/// applies the same ones inside its own read-modify-write.
/// </summary>
public sealed class MailboxGovernorRecord
{
    /// <summary>
    /// Messages admitted within a 64th of the window of an entry's first share that entry, which counts them all as sent
    /// at the latest of them: they leave the window no earlier than they would one by one, and the record, read and
    /// written for every message, keeps at most ~65 entries whatever the limit (a limit of thousands a minute made it
    /// thousands of timestamps).
    /// </summary>
    private const int EntriesPerWindow = 64;

    /// <summary>The messages admitted within the window, oldest first.</summary>
    public List<MessageBurst> Bursts { get; set; } = [];

    /// <summary>
    /// The form records had before <see cref="Bursts"/> (one UTC tick count per message); read once, then dropped. Not
    /// written, so an instance still on that form reads a record of this one as no message in the window.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public List<long>? Messages { get; set; }

    /// <summary>Recipients per hour (key: UTC ticks of the hour's start). An hour's recipients count until a day has passed since its latest one, so the count errs high, never low, with at most 25 entries.</summary>
    public Dictionary<long, RecipientHour> RecipientHours { get; set; } = [];

    public long? BackedOffUntil { get; set; }

    public string? BackOffReason { get; set; }

    /// <summary>Drops what has left the window and the day.</summary>
    public void Prune(DateTimeOffset now, TimeSpan window)
    {
        if (Messages is { } earlier)
        {
            Bursts.AddRange(earlier.Order().Select(at => new MessageBurst(at, at, 1)));
            Messages = null;
        }
        var windowStart = (now - window).UtcTicks;
        Bursts.RemoveAll(burst => burst.Latest <= windowStart);
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

    public int MessagesInWindow => Bursts.Sum(burst => burst.Count);

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
        if (takeMessage && MessagesInWindow >= limits.MessagesPerWindow)
        {
            // Instances' clocks differ a little: the oldest is not always first.
            var oldest = Bursts.Min(burst => burst.Latest);
            return new Admission(AdmissionResult.WindowFull, TimeSpan.FromTicks(Math.Max(0, oldest + limits.Window.Ticks - now.UtcTicks)), null, left);
        }
        if (takeMessage) AddMessage(now.UtcTicks, limits.Window);
        if (wanted > 0)
        {
            var hour = now.UtcTicks - now.UtcTicks % TimeSpan.TicksPerHour;
            RecipientHours[hour] = new RecipientHour((RecipientHours.GetValueOrDefault(hour)?.Count ?? 0) + wanted, now.UtcTicks);
        }
        return Admission.Grant(left - wanted);
    }

    private void AddMessage(long at, TimeSpan window)
    {
        if (Bursts.Count > 0 && Bursts[^1] is var last && at >= last.Latest && at - last.First < window.Ticks / EntriesPerWindow)
            Bursts[^1] = last with { Latest = at, Count = last.Count + 1 };
        else
            Bursts.Add(new MessageBurst(at, at, 1));
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
        return new GovernorSnapshot(connectionsInUse, MessagesInWindow, RecipientsToday,
            BackedOffUntil is { } until ? new DateTimeOffset(until, TimeSpan.Zero) : null, BackOffReason);
    }
}

/// <summary>Messages admitted close together (UTC ticks of the first and the latest), counted as sent at the latest.</summary>
public sealed record MessageBurst(long First, long Latest, int Count);

/// <summary>Recipients admitted within one hour, and when the latest of them was.</summary>
public sealed record RecipientHour(long Count, long Latest);
