using System.Text;

namespace TokenBroker.Mail.Mime;

/// <summary>RFC 2047 encoded words: "=?utf-8?B?…?=" for non-ASCII header text, and decoding of B and Q
/// words in any charset .NET knows (code pages included).</summary>
public static class EncodedWords
{
    // 39 UTF-8 bytes → 52 base64 characters → a 64-character word: "Subject: " plus one word stays
    // within 78 characters, and no word passes RFC 2047's 75.
    private const int MaxBytesPerWord = 39;

    static EncodedWords() => Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);

    /// <summary>Encodes text as space-separated UTF-8 B words, never splitting a character.</summary>
    public static string Encode(string text)
    {
        var words = new List<string>();
        var chunk = new StringBuilder();
        var chunkBytes = 0;
        foreach (var rune in text.EnumerateRunes())
        {
            var length = rune.Utf8SequenceLength;
            if (chunkBytes + length > MaxBytesPerWord)
            {
                words.Add(Word(chunk.ToString()));
                chunk.Clear();
                chunkBytes = 0;
            }
            chunk.Append(rune.ToString());
            chunkBytes += length;
        }
        if (chunk.Length > 0 || words.Count == 0)
            words.Add(Word(chunk.ToString()));
        return string.Join(' ', words);

        static string Word(string part) => "=?utf-8?B?" + Convert.ToBase64String(Encoding.UTF8.GetBytes(part)) + "?=";
    }

    /// <summary>True when <paramref name="text"/> can go into a header as it is: printable ASCII, and
    /// nothing a reader would mistake for an encoded word.</summary>
    public static bool NeedsEncoding(string text) =>
        text.Any(c => c is < ' ' or > '~' && c != '\t') || text.Contains("=?", StringComparison.Ordinal);

    /// <summary>Decodes every encoded word in <paramref name="text"/>; whitespace between adjacent encoded
    /// words is dropped (RFC 2047 §6.2). Words in unknown charsets or with bad payloads stay as they are.</summary>
    public static string Decode(string text)
    {
        if (!text.Contains("=?", StringComparison.Ordinal))
            return text;
        var result = new StringBuilder(text.Length);
        var pendingBytes = new List<byte>();
        Encoding? pendingEncoding = null;
        var position = 0;
        var pendingWhitespace = "";
        while (position < text.Length)
        {
            if (TryReadWord(text, position, out var end, out var encoding, out var bytes))
            {
                // Adjacent words in one charset are joined before decoding: some encoders split a
                // multi-byte character across two words.
                if (pendingEncoding is not null && pendingEncoding.CodePage != encoding.CodePage)
                    Flush();
                pendingEncoding = encoding;
                pendingBytes.AddRange(bytes);
                pendingWhitespace = "";
                position = end;
                continue;
            }
            if (pendingEncoding is not null && char.IsWhiteSpace(text[position]))
            {
                var start = position;
                while (position < text.Length && char.IsWhiteSpace(text[position])) position++;
                pendingWhitespace = text[start..position];
                if (position < text.Length && TryReadWord(text, position, out _, out _, out _))
                    continue;
                Flush();
                result.Append(pendingWhitespace);
                pendingWhitespace = "";
                continue;
            }
            Flush();
            result.Append(text[position++]);
        }
        Flush();
        return result.ToString();

        void Flush()
        {
            if (pendingEncoding is null) return;
            result.Append(pendingEncoding.GetString(pendingBytes.ToArray()));
            pendingBytes.Clear();
            pendingEncoding = null;
        }
    }

    private static bool TryReadWord(string text, int start, out int end, out Encoding encoding, out byte[] bytes)
    {
        end = 0;
        encoding = Encoding.UTF8;
        bytes = [];
        if (string.CompareOrdinal(text, start, "=?", 0, 2) != 0) return false;
        var charsetEnd = text.IndexOf('?', start + 2);
        if (charsetEnd < 0 || charsetEnd + 2 >= text.Length || text[charsetEnd + 2] != '?') return false;
        var payloadEnd = text.IndexOf("?=", charsetEnd + 3, StringComparison.Ordinal);
        if (payloadEnd < 0) return false;
        var charset = text[(start + 2)..charsetEnd];
        var language = charset.IndexOf('*'); // RFC 2231 §5: charset*language
        if (language >= 0) charset = charset[..language];
        var payload = text[(charsetEnd + 3)..payloadEnd];
        if (payload.Contains(' ')) return false;
        try { encoding = Encoding.GetEncoding(charset); }
        catch (ArgumentException) { return false; }
        var decoded = char.ToUpperInvariant(text[charsetEnd + 1]) switch
        {
            'B' => DecodeB(payload),
            'Q' => DecodeQ(payload),
            _ => null,
        };
        if (decoded is null) return false;
        bytes = decoded;
        end = payloadEnd + 2;
        return true;
    }

    private static byte[]? DecodeB(string payload)
    {
        var padded = payload.PadRight(payload.Length + (4 - payload.Length % 4) % 4, '=');
        try { return Convert.FromBase64String(padded); }
        catch (FormatException) { return null; }
    }

    private static byte[]? DecodeQ(string payload)
    {
        var bytes = new List<byte>(payload.Length);
        for (var i = 0; i < payload.Length; i++)
        {
            var c = payload[i];
            if (c == '_') bytes.Add((byte)' ');
            else if (c == '=' && i + 2 < payload.Length && Uri.IsHexDigit(payload[i + 1]) && Uri.IsHexDigit(payload[i + 2]))
            {
                bytes.Add(Convert.ToByte(payload.Substring(i + 1, 2), 16));
                i += 2;
            }
            else if (c > '~') return null;
            else bytes.Add((byte)c);
        }
        return bytes.ToArray();
    }
}
