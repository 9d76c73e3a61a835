using System.Text;

namespace TokenBroker.Mail.Mime;

/// <summary>
/// The header block of a fetched message: unfolded, with RFC 2047 words decoded on request, and typed
/// accessors for the fields a mail worker needs. Tolerant: malformed lines are skipped, not fatal.
/// </summary>
public sealed class MessageHeaders
{
    private readonly List<KeyValuePair<string, string>> _fields;

    private MessageHeaders(List<KeyValuePair<string, string>> fields) => _fields = fields;

    /// <summary>All fields in order, names as written, values unfolded but not decoded.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Fields => _fields;

    /// <summary>Parses the bytes up to the first empty line (or all of them). Header bytes are read as UTF-8
    /// (RFC 6532), falling back to Latin-1 for legacy 8-bit headers.</summary>
    public static MessageHeaders Parse(ReadOnlySpan<byte> message)
    {
        var end = FindHeaderEnd(message);
        return Parse(DecodeBytes(message[..end]));
    }

    /// <summary>Reads the header block from a stream, stopping at the empty line (the body is not read further
    /// than the buffer). At most <paramref name="maxHeaderBytes"/> bytes are accepted.</summary>
    public static async Task<MessageHeaders> ReadAsync(Stream stream, int maxHeaderBytes = 1024 * 1024, CancellationToken cancellationToken = default)
    {
        var buffer = new MemoryStream();
        var chunk = new byte[8192];
        while (true)
        {
            var read = await stream.ReadAsync(chunk, cancellationToken).ConfigureAwait(false);
            if (read == 0) break;
            buffer.Write(chunk, 0, read);
            var bytes = buffer.GetBuffer().AsSpan(0, (int)buffer.Length);
            if (FindHeaderEnd(bytes) < bytes.Length) break;
            if (buffer.Length > maxHeaderBytes)
                throw new FormatException($"The message header is longer than {maxHeaderBytes} bytes.");
        }
        return Parse(buffer.GetBuffer().AsSpan(0, (int)buffer.Length));
    }

    public static MessageHeaders Parse(string headerText)
    {
        var fields = new List<KeyValuePair<string, string>>();
        string? name = null;
        var value = new StringBuilder();
        foreach (var line in headerText.Split('\n'))
        {
            var text = line.TrimEnd('\r');
            if (text.Length == 0) break;
            if (text[0] is ' ' or '\t')
            {
                // Unfolding (RFC 5322 §2.2.3): the line break goes, the whitespace stays.
                if (name is not null) value.Append(text);
                continue;
            }
            Flush();
            var colon = text.IndexOf(':');
            if (colon <= 0 || text[..colon].Any(c => c is <= ' ' or > '~'))
            {
                name = null; // not a header line (e.g. an mbox "From " line): skip it
                continue;
            }
            name = text[..colon];
            value.Append(text.AsSpan(colon + 1));
        }
        Flush();
        return new MessageHeaders(fields);

        void Flush()
        {
            if (name is not null)
                fields.Add(new(name, value.ToString().Trim()));
            name = null;
            value.Clear();
        }
    }

    /// <summary>The first value of <paramref name="name"/> (case-insensitive), unfolded and undecoded.</summary>
    public string? Get(string name) => _fields.FirstOrDefault(f => string.Equals(f.Key, name, StringComparison.OrdinalIgnoreCase)).Value;

    public IEnumerable<string> GetAll(string name) =>
        _fields.Where(f => string.Equals(f.Key, name, StringComparison.OrdinalIgnoreCase)).Select(f => f.Value);

    /// <summary>The subject with encoded words decoded.</summary>
    public string? Subject => Get("Subject") is { } subject ? EncodedWords.Decode(subject) : null;

    public IReadOnlyList<MailboxAddress> From => Addresses("From");
    public IReadOnlyList<MailboxAddress> To => Addresses("To");
    public IReadOnlyList<MailboxAddress> Cc => Addresses("Cc");
    public IReadOnlyList<MailboxAddress> ReplyTo => Addresses("Reply-To");

    public DateTimeOffset? Date => MailDate.TryParse(Get("Date"), out var date) ? date : null;

    /// <summary>The Message-ID without angle brackets.</summary>
    public string? MessageId => Get("Message-ID") is { } id ? id.Trim().TrimStart('<').TrimEnd('>').Trim() : null;

    private IReadOnlyList<MailboxAddress> Addresses(string name) =>
        GetAll(name).SelectMany(MailboxAddress.ParseList).ToList();

    private static int FindHeaderEnd(ReadOnlySpan<byte> message)
    {
        var crlf = message.IndexOf("\r\n\r\n"u8);
        var lf = message.IndexOf("\n\n"u8);
        if (crlf < 0 && lf < 0) return message.Length;
        if (crlf < 0) return lf + 1;
        if (lf < 0) return crlf + 2;
        return Math.Min(crlf + 2, lf + 1);
    }

    private static string DecodeBytes(ReadOnlySpan<byte> bytes)
    {
        try
        {
            return new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            return Encoding.Latin1.GetString(bytes);
        }
    }
}
