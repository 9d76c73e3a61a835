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
    private readonly List<string> _stepServerLines = [];

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
            if (direction != MailLogDirection.Client) _stepServerLines.Add(direction == MailLogDirection.Server ? line : "* " + line);
        }
        inner?.Log(direction, line);
    }

    /// <summary>What the server said (and connection events) since the previous call.</summary>
    public IReadOnlyList<string> TakeStep()
    {
        lock (_gate)
        {
            var lines = _stepServerLines.ToArray();
            _stepServerLines.Clear();
            return lines;
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
