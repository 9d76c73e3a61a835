namespace TokenBroker.Mail.Net;

public enum MailLogDirection { Client, Server, Info }

/// <summary>
/// A protocol trace sink. It never sees secrets: <see cref="MailKitProtocolLog"/> replaces AUTH payloads by a
/// marker before calling it.
/// </summary>
public interface IMailProtocolLog
{
    void Log(MailLogDirection direction, string line);
}

/// <summary>Writes "C: …", "S: …" and "* …" lines to a TextWriter (e.g. Console.Error).</summary>
public sealed class TextWriterMailProtocolLog(TextWriter writer) : IMailProtocolLog
{
    private readonly object _gate = new();

    public void Log(MailLogDirection direction, string line)
    {
        var prefix = direction switch { MailLogDirection.Client => "C: ", MailLogDirection.Server => "S: ", _ => "* " };
        lock (_gate) writer.WriteLine(prefix + line);
    }
}
