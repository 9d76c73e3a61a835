using System.Globalization;

namespace TokenBroker.Mail.Pop3;

public sealed partial class Pop3Client
{
    /// <summary>LIST: every message's size.</summary>
    public async Task<IReadOnlyList<Pop3MessageSize>> ListAsync(CancellationToken cancellationToken = default)
    {
        await ExecuteAsync("LIST", cancellationToken).ConfigureAwait(false);
        var lines = await ReadMultiLineAsync(cancellationToken).ConfigureAwait(false);
        return lines.Select(ParseListLine).ToList();
    }

    /// <summary>LIST n: one message's size.</summary>
    public async Task<Pop3MessageSize> ListAsync(int messageNumber, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(messageNumber, 1);
        return ParseListLine(await ExecuteAsync(FormattableString.Invariant($"LIST {messageNumber}"), cancellationToken).ConfigureAwait(false));
    }

    private static Pop3MessageSize ParseListLine(string line)
    {
        var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length < 2 || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var number)
            || !long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var size))
            throw new MailProtocolException($"Malformed POP3 LIST line: {Shorten(line)}");
        return new Pop3MessageSize(number, size);
    }
}
