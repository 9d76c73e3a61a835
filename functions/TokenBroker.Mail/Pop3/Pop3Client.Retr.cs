using TokenBroker.Mail.Net;

namespace TokenBroker.Mail.Pop3;

public sealed partial class Pop3Client
{
    private static readonly byte[] Crlf = "\r\n"u8.ToArray();

    /// <summary>
    /// RETR n: copies the message into <paramref name="destination"/> line by line as it arrives, removing
    /// the leading dot the server added to lines starting with ".", up to the terminating "." line.
    /// Returns the number of bytes written.
    /// </summary>
    public async Task<long> RetrAsync(int messageNumber, Stream destination, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(messageNumber, 1);
        ArgumentNullException.ThrowIfNull(destination);
        await ExecuteAsync(FormattableString.Invariant($"RETR {messageNumber}"), cancellationToken).ConfigureAwait(false);
        try
        {
            return await CopyMessageAsync(destination, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception)
        {
            // The rest of the message is still on the wire: no later command could read its own reply.
            _interrupted = $"RETR {messageNumber} was interrupted ({exception.GetType().Name}: {exception.Message})";
            throw;
        }
    }

    private async Task<long> CopyMessageAsync(Stream destination, CancellationToken cancellationToken)
    {
        long written = 0;
        while (true)
        {
            var line = await _connection.ReadLineBytesAsync(cancellationToken).ConfigureAwait(false);
            if (line.Span is [(byte)'.'])
            {
                _connection.Options.ProtocolLog?.Log(MailLogDirection.Server, $"<message of {written} bytes>");
                _connection.Options.ProtocolLog?.Log(MailLogDirection.Server, ".");
                return written;
            }
            var content = line.Span is [(byte)'.', ..] ? line[1..] : line;
            await destination.WriteAsync(content, cancellationToken).ConfigureAwait(false);
            await destination.WriteAsync(Crlf, cancellationToken).ConfigureAwait(false);
            written += content.Length + 2;
        }
    }
}
