using System.Text;
using MailKit;

namespace TokenBroker.Mail.Net;

/// <summary>
/// The protocol log MailKit writes into: passes whole lines to an <see cref="IMailProtocolLog"/> with every
/// AUTH payload MailKit's detector marks replaced by "&lt;redacted N characters&gt;", and remembers the
/// server's last complete line whether or not anyone logs (MailKit puts neither IMAP's
/// "NO [AUTHENTICATIONFAILED] …" nor POP3's "-ERR [AUTH] …" on its AuthenticationException).
/// </summary>
internal sealed class MailKitProtocolLog(IMailProtocolLog? sink) : IProtocolLogger
{
    /// <summary>Longest line passed to the sink (a message body line, a long capability list); the rest is cut.</summary>
    private const int MaxLoggedLineLength = 1000;

    /// <summary>Bytes kept of the server line being received, for <see cref="LastServerLine"/>.</summary>
    private const int MaxRememberedLineBytes = 2048;

    private readonly LineAssembler _clientLines = new();
    private readonly LineAssembler _serverLines = new();
    private readonly byte[] _partial = new byte[MaxRememberedLineBytes];
    private int _partialLength;
    private byte[] _lastLine = [];

    public IAuthenticationSecretDetector? AuthenticationSecretDetector { get; set; }

    /// <summary>The last complete line the server sent, without CRLF (null before the first line).</summary>
    public string? LastServerLine { get; private set; }

    public void LogConnect(Uri uri) => sink?.Log(MailLogDirection.Info, $"connected to {uri.Host}:{uri.Port}");

    public void LogClient(byte[] buffer, int offset, int count)
    {
        if (sink is null) return;
        var end = offset + count;
        for (var start = offset; start < end;)
        {
            var newline = Array.IndexOf(buffer, (byte)'\n', start, end - start);
            var next = newline < 0 ? end : newline + 1;
            // MailKit's detectors follow the exchange segment by segment: ask once for each, in order.
            var secrets = AuthenticationSecretDetector?.DetectSecrets(buffer, start, next - start) ?? [];
            var position = start;
            foreach (var secret in secrets.OrderBy(s => s.StartIndex))
            {
                _clientLines.Append(buffer.AsSpan(position, secret.StartIndex - position));
                _clientLines.AppendText($"<redacted {secret.Length} characters>");
                position = secret.StartIndex + secret.Length;
            }
            _clientLines.Append(buffer.AsSpan(position, next - position));
            Flush(_clientLines, MailLogDirection.Client);
            start = next;
        }
    }

    public void LogServer(byte[] buffer, int offset, int count)
    {
        Remember(buffer.AsSpan(offset, count));
        if (sink is null) return;
        _serverLines.Append(buffer.AsSpan(offset, count));
        Flush(_serverLines, MailLogDirection.Server);
    }

    public void Dispose()
    {
    }

    private void Flush(LineAssembler lines, MailLogDirection direction)
    {
        foreach (var line in lines.TakeLines())
            sink!.Log(direction, line);
    }

    // Only the chunk's last line matters: find it without decoding anything else (fetched mail passes here too).
    private void Remember(ReadOnlySpan<byte> chunk)
    {
        var last = chunk.LastIndexOf((byte)'\n');
        if (last >= 0)
        {
            var previous = chunk[..last].LastIndexOf((byte)'\n');
            if (previous >= 0)
                _lastLine = Cap(chunk[(previous + 1)..last]).ToArray();
            else
            {
                AppendPartial(chunk[..last]);
                _lastLine = _partial.AsSpan(0, _partialLength).ToArray();
            }
            LastServerLine = Encoding.UTF8.GetString(_lastLine).TrimEnd('\r');
            _partialLength = 0;
            chunk = chunk[(last + 1)..];
        }
        AppendPartial(chunk);
    }

    private void AppendPartial(ReadOnlySpan<byte> bytes)
    {
        var take = Math.Min(bytes.Length, _partial.Length - _partialLength);
        bytes[..take].CopyTo(_partial.AsSpan(_partialLength));
        _partialLength += take;
    }

    private static ReadOnlySpan<byte> Cap(ReadOnlySpan<byte> line) => line.Length <= MaxRememberedLineBytes ? line : line[..MaxRememberedLineBytes];

    /// <summary>Collects bytes and hands out complete lines (UTF-8, without CR/LF); a partial line waits for
    /// the next call. Bytes past <see cref="MaxLoggedLineLength"/> of one line are counted, not kept.</summary>
    private sealed class LineAssembler
    {
        private readonly List<byte> _line = [];
        private readonly List<string> _complete = [];
        private int _dropped;

        public void Append(ReadOnlySpan<byte> bytes)
        {
            foreach (var b in bytes)
            {
                if (b == (byte)'\n')
                {
                    var text = Encoding.UTF8.GetString(_line.ToArray()).TrimEnd('\r');
                    _complete.Add(_dropped == 0 ? text : text + $"… ({_dropped} more bytes)");
                    _line.Clear();
                    _dropped = 0;
                }
                else if (_line.Count < MaxLoggedLineLength)
                    _line.Add(b);
                else
                    _dropped++;
            }
        }

        public void AppendText(string text) => Append(Encoding.UTF8.GetBytes(text));

        public IReadOnlyList<string> TakeLines()
        {
            var lines = _complete.ToArray();
            _complete.Clear();
            return lines;
        }
    }
}
