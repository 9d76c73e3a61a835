using System.Diagnostics.CodeAnalysis;
using System.Text;

namespace TokenBroker.Mail.Mime;

/// <summary>
/// A mailbox: an addr-spec (local@domain, RFC 5322 §3.4.1; UTF-8 allowed per RFC 6532) with an optional
/// display name. Parses "user@example.com", "Name &lt;user@example.com&gt;" and "\"Last, First\" &lt;…&gt;".
/// </summary>
public sealed record MailboxAddress
{
    public MailboxAddress(string address, string? displayName = null)
    {
        HeaderSafety.RejectLineBreaks(address, "address");
        HeaderSafety.RejectLineBreaks(displayName, "display name");
        if (!IsValidAddress(address))
            throw new FormatException($"'{address}' is not a valid e-mail address (local-part@domain).");
        Address = address;
        DisplayName = string.IsNullOrWhiteSpace(displayName) ? null : displayName;
    }

    public string Address { get; }

    public string? DisplayName { get; }

    public string Domain => Address[(Address.LastIndexOf('@') + 1)..];

    public static MailboxAddress Parse(string text) =>
        TryParse(text, out var address, out var error) ? address : throw new FormatException(error);

    public static bool TryParse(string text, [NotNullWhen(true)] out MailboxAddress? address, out string error)
    {
        address = null;
        if (text.AsSpan().IndexOfAny('\r', '\n') >= 0)
        {
            error = "an address must not contain CR or LF";
            return false;
        }
        var trimmed = text.Trim();
        var open = LastIndexOutsideQuotes(trimmed, '<');
        string addrSpec;
        string? name = null;
        if (open >= 0)
        {
            if (!trimmed.EndsWith('>'))
            {
                error = $"'{text}' has '<' without a closing '>'";
                return false;
            }
            addrSpec = trimmed[(open + 1)..^1].Trim();
            name = UnquotePhrase(trimmed[..open].Trim());
        }
        else
        {
            addrSpec = trimmed;
        }
        if (!IsValidAddress(addrSpec))
        {
            error = $"'{addrSpec}' is not a valid e-mail address (local-part@domain)";
            return false;
        }
        address = new MailboxAddress(addrSpec, name is null ? null : MimeKit.Utils.Rfc2047.DecodePhrase(System.Text.Encoding.UTF8.GetBytes(name)));
        error = "";
        return true;
    }

    /// <summary>addr-spec check: dot-atom or quoted local part, '@', dot-atom domain or [literal]; ≤ 254 characters.</summary>
    public static bool IsValidAddress(string? address)
    {
        if (string.IsNullOrEmpty(address) || address.Length > 254 || address.Any(char.IsControl))
            return false;
        var at = address.LastIndexOf('@');
        if (at <= 0 || at == address.Length - 1)
            return false;
        var local = address[..at];
        var domain = address[(at + 1)..];
        return (IsDotAtom(local) || IsQuotedString(local)) && (IsDomainName(domain) || IsDomainLiteral(domain));
    }

    public override string ToString() => DisplayName is null ? Address : $"{DisplayName} <{Address}>";

    /// <summary>Splits an address-list header ("a@x, \"B, C\" &lt;b@y&gt;, group: d@z;") into mailboxes,
    /// skipping entries that do not parse (fetched mail is not always well-formed).</summary>
    public static IReadOnlyList<MailboxAddress> ParseList(string text)
    {
        var result = new List<MailboxAddress>();
        foreach (var item in SplitList(StripComments(text)))
        {
            var entry = item.Trim();
            var colon = IndexOutsideQuotes(entry, ':');
            if (colon >= 0 && IndexOutsideQuotes(entry, '<') is var lt && (lt < 0 || colon < lt))
                entry = entry[(colon + 1)..].Trim(); // "group: first" — the group name is not a mailbox
            entry = entry.TrimEnd(';').Trim();
            if (entry.Length > 0 && TryParse(entry, out var address, out _))
                result.Add(address);
        }
        return result;
    }

    private static IEnumerable<string> SplitList(string text)
    {
        var start = 0;
        var inQuotes = false;
        var depth = 0;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '\\' && inQuotes) { i++; continue; }
            if (c == '"') inQuotes = !inQuotes;
            else if (!inQuotes && c == '<') depth++;
            else if (!inQuotes && c == '>' && depth > 0) depth--;
            else if (!inQuotes && depth == 0 && (c == ',' || c == ';'))
            {
                yield return text[start..i];
                start = i + 1;
            }
        }
        yield return text[start..];
    }

    private static string StripComments(string text)
    {
        var builder = new StringBuilder(text.Length);
        var inQuotes = false;
        var depth = 0;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '\\' && i + 1 < text.Length && (inQuotes || depth > 0))
            {
                if (depth == 0) builder.Append(c).Append(text[i + 1]);
                i++;
                continue;
            }
            if (depth == 0 && c == '"') inQuotes = !inQuotes;
            if (!inQuotes && c == '(') { depth++; continue; }
            if (!inQuotes && c == ')' && depth > 0) { depth--; continue; }
            if (depth == 0) builder.Append(c);
        }
        return builder.ToString();
    }

    private static string? UnquotePhrase(string phrase)
    {
        if (phrase.Length == 0) return null;
        if (phrase.Length >= 2 && phrase[0] == '"' && phrase[^1] == '"')
        {
            var builder = new StringBuilder();
            for (var i = 1; i < phrase.Length - 1; i++)
            {
                if (phrase[i] == '\\' && i + 1 < phrase.Length - 1) i++;
                builder.Append(phrase[i]);
            }
            return builder.ToString();
        }
        return phrase;
    }

    private static int IndexOutsideQuotes(string text, char target)
    {
        var inQuotes = false;
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '\\' && inQuotes) { i++; continue; }
            if (text[i] == '"') inQuotes = !inQuotes;
            else if (!inQuotes && text[i] == target) return i;
        }
        return -1;
    }

    private static int LastIndexOutsideQuotes(string text, char target)
    {
        var found = -1;
        var inQuotes = false;
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '\\' && inQuotes) { i++; continue; }
            if (text[i] == '"') inQuotes = !inQuotes;
            else if (!inQuotes && text[i] == target) found = i;
        }
        return found;
    }

    private static bool IsAtext(char c) =>
        char.IsAsciiLetterOrDigit(c) || "!#$%&'*+-/=?^_`{|}~".Contains(c) || c > '\u007f';

    private static bool IsDotAtom(string text) =>
        text.Length > 0 && text[0] != '.' && text[^1] != '.' && !text.Contains("..", StringComparison.Ordinal)
        && text.All(c => c == '.' || IsAtext(c));

    private static bool IsQuotedString(string text)
    {
        if (text.Length < 2 || text[0] != '"' || text[^1] != '"') return false;
        for (var i = 1; i < text.Length - 1; i++)
        {
            if (text[i] == '\\') { i++; if (i >= text.Length - 1) return false; continue; }
            if (text[i] == '"') return false;
        }
        return true;
    }

    private static bool IsDomainName(string domain) =>
        domain.Split('.').All(label => label.Length is > 0 and <= 63 && label[0] != '-' && label[^1] != '-'
            && label.All(c => char.IsAsciiLetterOrDigit(c) || c == '-' || c > '\u007f'));

    private static bool IsDomainLiteral(string domain) =>
        domain.Length > 2 && domain[0] == '[' && domain[^1] == ']' && domain[1..^1].All(c => c is > ' ' and <= '~' and not ('[' or ']' or '\\'));
}
