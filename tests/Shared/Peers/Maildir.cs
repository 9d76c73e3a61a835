using System.Globalization;

namespace TokenBroker.Testing;

/// <summary>
/// The mail Dovecot delivered for a user, read straight from disk:
/// $MAIL_ROOT/&lt;user, lower-cased&gt;/Maildir (folders as Maildir++ ".Sent" etc.).
/// Give each test its own address (<see cref="UniqueAddress"/>) so counts are its own.
/// </summary>
public sealed class Maildir
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(50);
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(15);

    private Maildir(string user, string path)
    {
        User = user;
        Path = path;
    }

    public string User { get; }
    public string Path { get; }

    /// <summary>The Maildir of <paramref name="user"/>; <paramref name="folder"/> null is INBOX, else e.g. "Sent".</summary>
    public static Maildir For(string user, string? folder = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(user);
        var root = System.IO.Path.Combine(PeersEnvironment.Get("MAIL_ROOT"), user.ToLowerInvariant(), "Maildir");
        return new Maildir(user, folder is null ? root : System.IO.Path.Combine(root, "." + folder.Replace('/', '.')));
    }

    /// <summary>A fresh address at the test domain, so a test's mailbox starts empty.</summary>
    public static string UniqueAddress(string prefix = "test") =>
        string.Create(CultureInfo.InvariantCulture, $"{prefix}-{Guid.NewGuid():N}@tokenbroker.test");

    /// <summary>Delivered messages (new/ and cur/), oldest first.</summary>
    public IReadOnlyList<MaildirMessage> List()
    {
        var messages = new List<MaildirMessage>();
        foreach (var sub in new[] { "new", "cur" })
        {
            var directory = System.IO.Path.Combine(Path, sub);
            if (!Directory.Exists(directory))
                continue;
            foreach (var file in Directory.EnumerateFiles(directory))
                messages.Add(new MaildirMessage(file));
        }
        return messages.OrderBy(m => m.DeliveryOrder).ThenBy(m => m.FileName, StringComparer.Ordinal).ToList();
    }

    /// <summary>Waits (bounded) until at least <paramref name="count"/> messages are there.</summary>
    public async Task<IReadOnlyList<MaildirMessage>> WaitForMessagesAsync(
        int count, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        var limit = timeout ?? DefaultTimeout;
        var deadline = DateTime.UtcNow + limit;
        while (true)
        {
            var messages = List();
            if (messages.Count >= count)
                return messages;
            if (DateTime.UtcNow >= deadline)
            {
                throw new TimeoutException(string.Create(CultureInfo.InvariantCulture,
                    $"{User}: {messages.Count} of {count} message(s) in {Path} after {limit.TotalSeconds:0.#} s; see POSTFIX_LOG and DOVECOT_LOG in {PeersEnvironment.Directory}."));
            }
            await Task.Delay(PollInterval, cancellationToken);
        }
    }
}

/// <summary>One delivered message file.</summary>
public sealed class MaildirMessage
{
    internal MaildirMessage(string path)
    {
        Path = path;
        FileName = System.IO.Path.GetFileName(path);
        DeliveryOrder = ParseDeliveryOrder(FileName);
    }

    public string Path { get; }
    public string FileName { get; }
    internal decimal DeliveryOrder { get; }

    public byte[] ReadAllBytes() => File.ReadAllBytes(Path);
    public string ReadAllText() => File.ReadAllText(Path);

    /// <summary>The first header of that name, unfolded; null when absent.</summary>
    public string? Header(string name)
    {
        string? value = null;
        foreach (var line in File.ReadLines(Path))
        {
            if (line.Length == 0)
                break;
            var isContinuation = line[0] is ' ' or '\t';
            if (value is not null)
            {
                if (!isContinuation)
                    return value;
                value += " " + line.Trim();
                continue;
            }
            var colon = line.IndexOf(':');
            if (!isContinuation && colon > 0 && line.AsSpan(0, colon).Trim().Equals(name, StringComparison.OrdinalIgnoreCase))
                value = line[(colon + 1)..].Trim();
        }
        return value;
    }

    public string? Subject => Header("Subject");

    // Dovecot names files "<seconds>.M<microseconds>P<pid>.<host>,S=<size>...".
    private static decimal ParseDeliveryOrder(string fileName)
    {
        var dot = fileName.IndexOf('.');
        if (dot <= 0 || !long.TryParse(fileName.AsSpan(0, dot), NumberStyles.None, CultureInfo.InvariantCulture, out var seconds))
            return decimal.MaxValue;
        var micro = 0L;
        if (fileName.Length > dot + 2 && fileName[dot + 1] == 'M')
        {
            var end = dot + 2;
            while (end < fileName.Length && char.IsAsciiDigit(fileName[end]))
                end++;
            long.TryParse(fileName.AsSpan(dot + 2, end - dot - 2), NumberStyles.None, CultureInfo.InvariantCulture, out micro);
        }
        return seconds + micro / 1_000_000m;
    }
}
