using TokenBroker.Mail.Net;

namespace TokenBroker.Mail.Probe;

/// <summary>
/// Records the protocol dialogue of a probe (already redacted by the connection) and hands out the
/// server's lines step by step; everything is also passed on to the caller's own log.
/// </summary>
internal sealed class ProbeTranscript(IMailProtocolLog? inner) : IMailProtocolLog
{
    private readonly object _gate = new();
    private readonly List<string> _all = [];
    private readonly List<(MailLogDirection Direction, string Line)> _step = [];

    public IReadOnlyList<string> Lines
    {
        get { lock (_gate) return _all.ToArray(); }
    }

    public void Log(MailLogDirection direction, string line)
    {
        var prefix = direction switch { MailLogDirection.Client => "C: ", MailLogDirection.Server => "S: ", _ => "* " };
        lock (_gate)
        {
            _all.Add(prefix + line);
            _step.Add((direction, line));
        }
        inner?.Log(direction, line);
    }

    /// <summary>What the server said (and connection events) since the previous call.</summary>
    public IReadOnlyList<string> TakeStep()
    {
        var dialogue = TakeDialogue();
        return dialogue.Where(entry => entry.Direction != MailLogDirection.Client)
            .Select(entry => entry.Direction == MailLogDirection.Server ? entry.Line : "* " + entry.Line)
            .ToArray();
    }

    /// <summary>Both sides of the dialogue since the previous call, in order.</summary>
    public IReadOnlyList<(MailLogDirection Direction, string Line)> TakeDialogue()
    {
        lock (_gate)
        {
            var entries = _step.ToArray();
            _step.Clear();
            return entries;
        }
    }

    public static MailClientOptions WithLog(MailClientOptions options, IMailProtocolLog log) => new()
    {
        ConnectTimeout = options.ConnectTimeout,
        CommandTimeout = options.CommandTimeout,
        MaxLineLength = options.MaxLineLength,
        ExtraTrustedRoots = options.ExtraTrustedRoots,
        TrustSystemRoots = options.TrustSystemRoots,
        ClientName = options.ClientName,
        TimeProvider = options.TimeProvider,
        ProtocolLog = log,
    };
}
