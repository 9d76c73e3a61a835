using System.Text;
using TokenBroker.Mail.Imap.Wire;

namespace TokenBroker.Mail.Imap;

public sealed partial class ImapClient
{
    /// <summary>
    /// UID FETCH of <paramref name="items"/> for <paramref name="uidSet"/>. Each message's body literal is
    /// copied as it arrives into the stream <paramref name="openBodySink"/> returns for its length (never
    /// buffered by the client); when the message's FETCH response is complete, <paramref name="onMessage"/>
    /// gets it. FETCH responses without a UID (unsolicited flag updates) are ignored.
    /// </summary>
    public async Task UidFetchAsync(
        string uidSet,
        ImapFetchItems items,
        Func<ImapFetchedMessage, CancellationToken, ValueTask> onMessage,
        Func<long, Stream>? openBodySink = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(uidSet);
        ArgumentNullException.ThrowIfNull(onMessage);
        var wantsBody = items.HasFlag(ImapFetchItems.Body);
        openBodySink ??= _ => new MemoryStream(); // grows with the bytes that actually arrive, not with what was announced

        ImapLiteralRouter? router = wantsBody
            ? (line, length) => IsBodyLiteral(line) ? openBodySink(length) : null
            : null;

        async ValueTask HandleAsync(ImapResponse response)
        {
            if (response.Name != "FETCH") return;
            var message = ParseFetch(response);
            if (message is null) return;
            if (message.Uid == 0)
            {
                // Unsolicited (no UID): nobody will receive its body, so its sink is released here.
                if (message.Body is not null) await message.Body.DisposeAsync().ConfigureAwait(false);
                return;
            }
            await onMessage(message, cancellationToken).ConfigureAwait(false);
        }

        var command = new ImapCommand("UID FETCH").Raw(uidSet).Raw(FormatItems(items));
        await ExecuteAsync(command, HandleAsync, router, cancellationToken: cancellationToken).ConfigureAwait(false);
    }

    private static string FormatItems(ImapFetchItems items)
    {
        var names = new List<string> { "UID" };
        if (items.HasFlag(ImapFetchItems.Flags)) names.Add("FLAGS");
        if (items.HasFlag(ImapFetchItems.InternalDate)) names.Add("INTERNALDATE");
        if (items.HasFlag(ImapFetchItems.Size)) names.Add("RFC822.SIZE");
        if (items.HasFlag(ImapFetchItems.Body)) names.Add("BODY.PEEK[]");
        return "(" + string.Join(' ', names) + ")";
    }

    /// <summary>A FETCH line fragment announcing a message body: "... BODY[] {n}", "BODY[]&lt;0&gt; {n}", "RFC822 {n}", "BINARY[] ~{n}".</summary>
    internal static bool IsBodyLiteral(ReadOnlySpan<byte> line)
    {
        if (!line.StartsWith("* "u8) || line.IndexOf(" FETCH "u8) < 0) return false;
        var open = line.LastIndexOf((byte)'{');
        if (open <= 0) return false;
        var before = line[..open];
        if (before.EndsWith("~"u8)) before = before[..^1];
        before = before.TrimEnd((byte)' ');
        if (before.EndsWith(">"u8))
        {
            var origin = before.LastIndexOf((byte)'<');
            if (origin < 0) return false;
            before = before[..origin];
        }
        return before.EndsWith("BODY[]"u8) || before.EndsWith("BINARY[]"u8) || before.EndsWith(" RFC822"u8) || before.EndsWith("(RFC822"u8);
    }

    private static ImapFetchedMessage? ParseFetch(ImapResponse response)
    {
        var decoder = response.Decoder;
        var message = new ImapFetchedMessage { SequenceNumber = response.Number ?? 0 };
        decoder.ExpectSP();
        decoder.ExpectList(() => ParseFetchItem(decoder, message));
        decoder.ExpectEnd();
        return decoder.Failed ? null : message;
    }

    private static bool ParseFetchItem(ImapDecoder decoder, ImapFetchedMessage message)
    {
        if (!decoder.ExpectAtom(out var name, stopAtOpenBracket: true)) return false;
        switch (name.ToUpperInvariant())
        {
            case "UID":
                if (!decoder.ExpectSP() || !decoder.ExpectNumber(out var uid)) return false;
                message.Uid = uid;
                return true;
            case "FLAGS":
                if (!decoder.ExpectSP() || !decoder.ExpectFlagList(out var flags)) return false;
                message.Flags = flags;
                return true;
            case "INTERNALDATE":
                if (!decoder.ExpectSP() || !decoder.Quoted(out var date)) return decoder.Fail("expected a quoted INTERNALDATE");
                if (!ImapDate.TryParse(date, out var internalDate)) return decoder.Fail($"bad INTERNALDATE \"{date}\"");
                message.InternalDate = internalDate;
                return true;
            case "RFC822.SIZE":
                if (!decoder.ExpectSP() || !decoder.ExpectNumber64(out var size)) return false;
                message.Size = (long)Math.Min(size, long.MaxValue);
                return true;
            case "BODY" or "BINARY" when decoder.Special('['):
                if (!decoder.Section(out var section)) return false;
                if (decoder.Special('<') && (!decoder.ExpectNumber64(out _) || !decoder.ExpectSpecial('>'))) return false;
                if (!decoder.ExpectSP()) return false;
                return section.Length == 0 ? ReadBody(decoder, message) : decoder.SkipValue() || decoder.Fail("expected a section value");
            case "RFC822":
                return decoder.ExpectSP() && ReadBody(decoder, message);
            default:
                return decoder.ExpectSP() && (decoder.SkipValue() || decoder.Fail($"expected a value for {name}"));
        }
    }

    private static bool ReadBody(ImapDecoder decoder, ImapFetchedMessage message)
    {
        if (decoder.Nil()) return true;
        if (decoder.Literal(out var literal))
        {
            message.Body = literal.SinkState as Stream ?? new MemoryStream(literal.Data ?? [], writable: false);
            message.BodyLength = literal.Length;
            return true;
        }
        if (!decoder.Quoted(out var text)) return decoder.Fail("expected the body as a literal, a string or NIL");
        var bytes = Encoding.UTF8.GetBytes(text);
        message.Body = new MemoryStream(bytes, writable: false);
        message.BodyLength = bytes.Length;
        return true;
    }
}
