using System.Globalization;

namespace TokenBroker.Mail.Pop3;

public sealed partial class Pop3Client
{
    /// <summary>UIDL: every message's unique id.</summary>
    public async Task<IReadOnlyList<Pop3UniqueId>> UidlAsync(CancellationToken cancellationToken = default)
    {
        await ExecuteAsync("UIDL", cancellationToken).ConfigureAwait(false);
        var lines = await ReadMultiLineAsync(cancellationToken).ConfigureAwait(false);
        return lines.Select(line => ParseUidl(line, "UIDL")).ToList();
    }

    /// <summary>UIDL n: one message's unique id.</summary>
    public async Task<Pop3UniqueId> UidlAsync(int messageNumber, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(messageNumber, 1);
        var text = await ExecuteAsync(FormattableString.Invariant($"UIDL {messageNumber}"), cancellationToken).ConfigureAwait(false);
        return ParseUidl(text, "UIDL n");
    }

    private static Pop3UniqueId ParseUidl(string line, string command)
    {
        var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length < 2 || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var number)
            || parts[1].Length > 70 || parts[1].Any(c => c is < '!' or > '~'))
            throw new MailProtocolException($"Malformed POP3 {command} line: {Shorten(line)}");
        return new Pop3UniqueId(number, parts[1]);
    }
}
