using System.Text;
using TokenBroker.Mail.Net;

namespace TokenBroker.Mail.Tests.Support;

/// <summary>
/// A <see cref="MailConnection"/> over canned server bytes (what the server sends, in order) that records
/// what the client writes, so a test compares the exact client bytes. The end of the canned bytes behaves
/// like a dropped connection. For STARTTLS and timeouts use <see cref="ScriptedServer"/>.
/// </summary>
internal sealed class CannedTransport
{
    private readonly CannedStream _stream;

    public CannedTransport(byte[] serverBytes, bool encrypted = true, MailClientOptions? options = null)
    {
        _stream = new CannedStream(serverBytes);
        options ??= new MailClientOptions();
        options.ProtocolLog ??= ProtocolLog;
        Connection = MailConnection.FromStream(_stream, MailEndpoint.Parse("imaps://localhost:993"), options, encrypted);
    }

    public CannedTransport(string serverText, bool encrypted = true) : this(Encoding.UTF8.GetBytes(serverText), encrypted) { }

    public MailConnection Connection { get; }

    public RecordingProtocolLog ProtocolLog { get; } = new();

    public string Written => Encoding.UTF8.GetString(_stream.Written);

    /// <summary>The protocol log as text ("C: ..." and "S: ..." lines).</summary>
    public string Log => ProtocolLog.Text;

    private sealed class CannedStream(byte[] serverBytes) : Stream
    {
        private readonly MemoryStream _written = new();
        private int _position;

        public byte[] Written => _written.ToArray();

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            // Hand out odd-sized pieces so parsers meet lines and literals split across reads.
            var take = Math.Min(Math.Min(buffer.Length, serverBytes.Length - _position), 4093);
            serverBytes.AsSpan(_position, take).CopyTo(buffer);
            _position += take;
            return take;
        }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            ValueTask.FromResult(Read(buffer.Span));

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            Task.FromResult(Read(buffer.AsSpan(offset, count)));

        public override void Write(byte[] buffer, int offset, int count) => _written.Write(buffer, offset, count);

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            _written.Write(buffer.Span);
            return ValueTask.CompletedTask;
        }

        public override void Flush() { }
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
    }
}

/// <summary>Keeps every protocol log line, to check what a log would show (and that secrets are absent).</summary>
internal sealed class RecordingProtocolLog : IMailProtocolLog
{
    private readonly List<string> _lines = [];

    public string Text
    {
        get { lock (_lines) return string.Join("\n", _lines); }
    }

    public void Log(MailLogDirection direction, string line)
    {
        lock (_lines) _lines.Add((direction switch { MailLogDirection.Client => "C: ", MailLogDirection.Server => "S: ", _ => "* " }) + line);
    }
}
