using System.Text;

namespace TokenBroker.Mail.Net;

public sealed partial class MailConnection
{
    /// <summary>Queues a line (CRLF is added) without sending it; <see cref="FlushAsync"/> sends everything
    /// queued in one write (SMTP PIPELINING, IMAP command + literal).</summary>
    public void QueueLine(string line)
    {
        ThrowIfUnusable();
        RejectLineBreaks(line);
        _options.ProtocolLog?.Log(MailLogDirection.Client, line);
        AppendLine(line);
    }

    /// <summary>Sends one line (CRLF is added) and everything queued before it.</summary>
    public Task WriteLineAsync(string line, CancellationToken cancellationToken = default)
    {
        QueueLine(line);
        return FlushAsync(cancellationToken);
    }

    /// <summary>
    /// Sends a line that carries a secret (an AUTH initial response or a SASL response): the protocol
    /// log sees <paramref name="visiblePrefix"/> followed by a marker, never <paramref name="secret"/>.
    /// This is the only way credentials reach the wire, so redaction cannot be forgotten.
    /// </summary>
    public Task WriteSecretLineAsync(string visiblePrefix, string secret, CancellationToken cancellationToken = default)
    {
        ThrowIfUnusable();
        RejectLineBreaks(visiblePrefix);
        RejectLineBreaks(secret);
        _options.ProtocolLog?.Log(MailLogDirection.Client, visiblePrefix + (secret.Length == 0 ? "" : $"<redacted {secret.Length} characters>"));
        AppendLine(visiblePrefix + secret);
        return FlushAsync(cancellationToken);
    }

    /// <summary>Queues raw bytes (a message body, an IMAP literal); not logged line by line.</summary>
    public void QueueBytes(ReadOnlySpan<byte> bytes)
    {
        ThrowIfUnusable();
        _writeBuffer.Write(bytes);
    }

    /// <summary>Bytes queued and not yet sent; large transfers flush when this grows.</summary>
    public long QueuedByteCount => _writeBuffer.Length;

    public async Task FlushAsync(CancellationToken cancellationToken = default)
    {
        ThrowIfUnusable();
        if (_writeBuffer.Length == 0) return;
        var bytes = _writeBuffer.GetBuffer().AsMemory(0, (int)_writeBuffer.Length);
        await RunWithTimeoutAsync(
            static async (stream, memory, token) =>
            {
                await stream.WriteAsync(memory, token).ConfigureAwait(false);
                await stream.FlushAsync(token).ConfigureAwait(false);
                return memory.Length;
            },
            bytes, "writing", cancellationToken).ConfigureAwait(false);
        _writeBuffer.SetLength(0);
    }

    private void AppendLine(string line)
    {
        var byteCount = Encoding.UTF8.GetByteCount(line);
        Span<byte> small = byteCount <= 512 ? stackalloc byte[byteCount] : default;
        var bytes = byteCount <= 512 ? small : new byte[byteCount];
        Encoding.UTF8.GetBytes(line, bytes);
        _writeBuffer.Write(bytes);
        _writeBuffer.Write("\r\n"u8);
    }

    // A CR or LF inside a command would end it early and start another command chosen by whoever
    // controls the text (an address, a mailbox name): protocol command injection.
    private static void RejectLineBreaks(string line)
    {
        if (line.AsSpan().IndexOfAny('\r', '\n') >= 0)
            throw new ArgumentException("A protocol line must not contain CR or LF (command injection).", nameof(line));
    }
}
