using System.Text;

namespace TokenBroker.Mail.Mime;

/// <summary>MIME parameters (RFC 2045 §5.1, RFC 2231): plain or quoted for ASCII values, and
/// name*=utf-8''%XX… with continuations (name*0*, name*1*, …) for non-ASCII ones such as file names.</summary>
internal static class Rfc2231
{
    private const int MaxSegmentLength = 60;

    /// <summary>Returns "; name=value" parts, ready to append to a header value.</summary>
    public static string FormatParameter(string name, string value)
    {
        if (!EncodedWords.NeedsEncoding(value) && !value.Contains('\t'))
            return $"; {name}={QuoteIfNeeded(value)}";
        var units = value.EnumerateRunes().Select(rune => PercentEncode(rune.ToString())).ToList();
        var prefix = "utf-8''";
        if (prefix.Length + units.Sum(u => u.Length) + name.Length + 3 <= MaxSegmentLength)
            return $"; {name}*={prefix}{string.Concat(units)}";
        // Continuations split only between characters, so each segment is whole UTF-8 on its own
        // (decoders that decode segments separately still get the right text).
        var parts = new StringBuilder();
        var segment = new StringBuilder(prefix);
        var index = 0;
        foreach (var unit in units)
        {
            if (segment.Length + unit.Length > MaxSegmentLength && segment.Length > 0)
            {
                parts.Append($"; {name}*{index++}*={segment}");
                segment.Clear();
            }
            segment.Append(unit);
        }
        parts.Append($"; {name}*{index}*={segment}");
        return parts.ToString();
    }

    public static string QuoteIfNeeded(string value)
    {
        if (value.Length > 0 && value.All(IsTokenChar))
            return value;
        return "\"" + value.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";
    }

    // RFC 2045 token: printable ASCII except space and tspecials.
    private static bool IsTokenChar(char c) => c is > ' ' and <= '~' && !"()<>@,;:\\\"/[]?=".Contains(c);

    // RFC 2231 attribute-char: token characters except '*', '\'' and '%'.
    private static string PercentEncode(string value)
    {
        var builder = new StringBuilder();
        foreach (var b in Encoding.UTF8.GetBytes(value))
        {
            var c = (char)b;
            if (b < 0x80 && IsTokenChar(c) && c is not ('*' or '\'' or '%'))
                builder.Append(c);
            else
                builder.Append('%').Append(b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
        }
        return builder.ToString();
    }
}
