using System.Globalization;

namespace TokenBroker.Mail.Pop3;

public sealed partial class Pop3Client
{
    /// <summary>STAT: message count and total size.</summary>
    public async Task<Pop3Status> StatAsync(CancellationToken cancellationToken = default)
    {
        var text = await ExecuteAsync("STAT", cancellationToken).ConfigureAwait(false);
        var parts = text.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length < 2
            || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var count)
            || !long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var size))
            throw new MailProtocolException($"Malformed POP3 STAT reply: +OK {Shorten(text)}");
        return new Pop3Status(count, size);
    }
}
