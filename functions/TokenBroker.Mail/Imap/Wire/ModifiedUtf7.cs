using System.Text;

namespace TokenBroker.Mail.Imap.Wire;

/// <summary>RFC 3501 section 5.1.3 mailbox names: printable ASCII as is, "&amp;" as "&amp;-", other text as &amp;base64-of-UTF-16,-.</summary>
internal static class ModifiedUtf7
{
    public static string Encode(string name)
    {
        var result = new StringBuilder();
        var pending = new StringBuilder();
        foreach (var c in name)
        {
            if (c is >= (char)0x20 and <= (char)0x7e)
            {
                FlushShifted(result, pending);
                result.Append(c == '&' ? "&-" : c.ToString());
            }
            else
            {
                pending.Append(c);
            }
        }
        FlushShifted(result, pending);
        return result.ToString();
    }

    public static string Decode(string encoded)
    {
        var result = new StringBuilder();
        for (var i = 0; i < encoded.Length; i++)
        {
            var end = encoded.IndexOf('-', i + 1);
            if (encoded[i] != '&' || end < 0)
            {
                result.Append(encoded[i]);
                continue;
            }
            if (end == i + 1)
            {
                result.Append('&');
            }
            else
            {
                var base64 = encoded[(i + 1)..end].Replace(',', '/');
                base64 += new string('=', (4 - base64.Length % 4) % 4);
                try
                {
                    result.Append(Encoding.BigEndianUnicode.GetString(Convert.FromBase64String(base64)));
                }
                catch (FormatException)
                {
                    result.Append(encoded, i, end - i + 1);
                }
            }
            i = end;
        }
        return result.ToString();
    }

    private static void FlushShifted(StringBuilder result, StringBuilder pending)
    {
        if (pending.Length == 0) return;
        var base64 = Convert.ToBase64String(Encoding.BigEndianUnicode.GetBytes(pending.ToString())).TrimEnd('=').Replace('/', ',');
        result.Append('&').Append(base64).Append('-');
        pending.Clear();
    }
}
