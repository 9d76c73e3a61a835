using System.Text;
using TokenBroker.Mail;

namespace TokenBroker.Mail.Tests.Support;

/// <summary>
/// A transport whose server side is a canned byte string (what the server would send, in order) and
/// whose client side is recorded, so a test compares the exact bytes the client wrote. The end of the
/// canned bytes behaves like a dropped connection.
/// </summary>
internal sealed class CannedTransport(byte[] serverBytes, bool encrypted = true) : IMailTransport
{
    private const int MaxLine = 1024 * 1024;
    private readonly MemoryStream _written = new();
    private readonly StringBuilder _log = new();
    private int _position;

    public CannedTransport(string serverText, bool encrypted = true) : this(Encoding.UTF8.GetBytes(serverText), encrypted) { }

    public bool IsEncrypted { get; private set; } = encrypted;

    public int TlsUpgrades { get; private set; }

    public string Written => Encoding.UTF8.GetString(_written.ToArray());

    public byte[] WrittenBytes => _written.ToArray();

    /// <summary>What a protocol log would show: secret writes replaced by a marker.</summary>
    public string Log => _log.ToString();

    public bool Disposed { get; private set; }

    public ValueTask<byte[]> ReadLineAsync(CancellationToken cancellationToken = default)
    {
        for (var i = _position; i + 1 < serverBytes.Length; i++)
        {
            if (i - _position > MaxLine) throw new MailProtocolException("line too long");
            if (serverBytes[i] == '\r' && serverBytes[i + 1] == '\n')
            {
                var line = serverBytes[_position..i];
                _position = i + 2;
                return ValueTask.FromResult(line);
            }
        }
        _position = serverBytes.Length;
        throw new MailProtocolException("The server closed the connection.");
    }

    public ValueTask ReadExactlyAsync(Memory<byte> destination, CancellationToken cancellationToken = default)
    {
        if (serverBytes.Length - _position < destination.Length)
        {
            _position = serverBytes.Length;
            throw new MailProtocolException("The server closed the connection in the middle of data.");
        }
        serverBytes.AsMemory(_position, destination.Length).CopyTo(destination);
        _position += destination.Length;
        return ValueTask.CompletedTask;
    }

    public ValueTask WriteAsync(ReadOnlyMemory<byte> data, bool secret = false, CancellationToken cancellationToken = default)
    {
        _written.Write(data.Span);
        _log.Append(secret ? "<secret>" : Encoding.UTF8.GetString(data.Span));
        return ValueTask.CompletedTask;
    }

    public ValueTask FlushAsync(CancellationToken cancellationToken = default) => ValueTask.CompletedTask;

    public ValueTask StartTlsAsync(CancellationToken cancellationToken = default)
    {
        IsEncrypted = true;
        TlsUpgrades++;
        return ValueTask.CompletedTask;
    }

    public ValueTask DisposeAsync()
    {
        Disposed = true;
        return ValueTask.CompletedTask;
    }
}
