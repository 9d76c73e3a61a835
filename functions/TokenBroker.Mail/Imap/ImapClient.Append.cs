using System.Globalization;
using TokenBroker.Mail.Imap.Wire;

namespace TokenBroker.Mail.Imap;

public sealed partial class ImapClient
{
    /// <summary>
    /// APPEND a raw RFC 822 message (sent as a literal: synchronizing, or LITERAL+ when offered).
    /// Returns the new UID when the server reports it (UIDPLUS APPENDUID), else null.
    /// </summary>
    public async Task<uint?> AppendAsync(
        string mailbox,
        Stream message,
        long length,
        IEnumerable<string>? flags = null,
        DateTimeOffset? internalDate = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(mailbox);
        ArgumentNullException.ThrowIfNull(message);
        var command = new ImapCommand("APPEND").Mailbox(mailbox, utf8Accepted: false);
        var flagList = flags?.ToList();
        if (flagList is { Count: > 0 }) command.Raw("(" + string.Join(' ', flagList) + ")");
        if (internalDate is { } date) command.Raw("\"" + ImapDate.Format(date) + "\"");
        command.Literal(message, length);
        var completion = await ExecuteAsync(command, cancellationToken: cancellationToken).ConfigureAwait(false);
        if (completion.Code == "APPENDUID" && completion.CodeArguments?.Split(' ') is [_, var uidText]
            && uint.TryParse(uidText, NumberStyles.None, CultureInfo.InvariantCulture, out var uid))
            return uid;
        return null;
    }

    public Task<uint?> AppendAsync(string mailbox, byte[] message, IEnumerable<string>? flags = null, CancellationToken cancellationToken = default) =>
        AppendAsync(mailbox, new MemoryStream(message, writable: false), message.Length, flags, null, cancellationToken);
}
