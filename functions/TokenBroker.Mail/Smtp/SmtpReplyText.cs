namespace TokenBroker.Mail.Smtp;

/// <summary>
/// Reads an SMTP reply out of its text, as MailKit reports it ("535 5.7.3 Authentication unsuccessful"):
/// the code, the RFC 3463 enhanced status when the server sent one, and the rest of the line. MailKit
/// keeps the enhanced status inside the text; the explanations and the transient/permanent split need it apart.
/// </summary>
public static class SmtpReplyText
{
    /// <summary>Parses "250 text", "250-text" or "250"; null when <paramref name="line"/> is not a reply line.</summary>
    public static SmtpReply? Parse(string line)
    {
        if (!TryParseLine(line, out var code, out _, out var text))
            return null;
        var status = TryTakeEnhancedStatus(code, ref text);
        return new SmtpReply(code, status, [text]);
    }

    /// <summary>A reply from its code and MailKit's text (which still starts with the enhanced status).</summary>
    public static SmtpReply FromCodeAndText(int code, string text)
    {
        var status = TryTakeEnhancedStatus(code, ref text);
        return new SmtpReply(code, status, [text]);
    }

    /// <summary>"250-text", "250 text" or "250": a code 200–599, then '-' (more lines follow), ' ' or nothing.</summary>
    internal static bool TryParseLine(string line, out int code, out bool isLast, out string text)
    {
        code = 0;
        isLast = true;
        text = "";
        if (line.Length < 3 || line[0] is < '2' or > '5' || !char.IsAsciiDigit(line[1]) || !char.IsAsciiDigit(line[2]))
            return false;
        code = (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
        if (line.Length == 3)
            return true;
        if (line[3] is not (' ' or '-'))
            return false;
        isLast = line[3] == ' ';
        text = line[4..];
        return true;
    }

    /// <summary>Takes "x.y.z " off the text when x matches the reply's class (RFC 3463 §2; 1–3 digits each).</summary>
    internal static string? TryTakeEnhancedStatus(int code, ref string text)
    {
        var span = text.AsSpan();
        if (span.Length < 5 || span[0] != (char)('0' + code / 100) || span[1] != '.')
            return null;
        var position = 2;
        if (!TakeDigits(span, ref position) || position >= span.Length || span[position] != '.')
            return null;
        position++;
        if (!TakeDigits(span, ref position) || (position < span.Length && span[position] != ' '))
            return null;
        var status = text[..position];
        text = position < text.Length ? text[(position + 1)..] : "";
        return status;
    }

    private static bool TakeDigits(ReadOnlySpan<char> span, ref int position)
    {
        var start = position;
        while (position < span.Length && position - start < 3 && char.IsAsciiDigit(span[position]))
            position++;
        return position > start && (position >= span.Length || !char.IsAsciiDigit(span[position]));
    }
}
