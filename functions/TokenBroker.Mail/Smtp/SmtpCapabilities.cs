using System.Globalization;

namespace TokenBroker.Mail.Smtp;

/// <summary>What the server announced in its EHLO reply (RFC 5321 §4.1.1.1). Empty after a HELO fallback.</summary>
public sealed class SmtpCapabilities
{
    private readonly Dictionary<string, string> _keywords;

    private SmtpCapabilities(Dictionary<string, string> keywords) => _keywords = keywords;

    public static SmtpCapabilities None { get; } = new(new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase));

    /// <summary>Reads the lines after the greeting line: "KEYWORD params".</summary>
    public static SmtpCapabilities FromEhloReply(SmtpReply reply)
    {
        var keywords = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var line in reply.Lines.Skip(1))
        {
            var trimmed = line.Trim();
            if (trimmed.Length == 0) continue;
            // Old servers write "AUTH=LOGIN PLAIN" beside (or instead of) "AUTH LOGIN PLAIN".
            var separator = trimmed.IndexOfAny([' ', '=']);
            var keyword = separator < 0 ? trimmed : trimmed[..separator];
            var parameters = separator < 0 ? "" : trimmed[(separator + 1)..].Trim();
            keywords[keyword] = keywords.TryGetValue(keyword, out var earlier) && earlier.Length > 0
                ? earlier + " " + parameters
                : parameters;
        }
        return new SmtpCapabilities(keywords);
    }

    public bool Supports(string keyword) => _keywords.ContainsKey(keyword);

    public bool StartTls => Supports("STARTTLS");
    public bool Pipelining => Supports("PIPELINING");
    public bool EightBitMime => Supports("8BITMIME");
    public bool SmtpUtf8 => Supports("SMTPUTF8");
    public bool Chunking => Supports("CHUNKING");

    /// <summary>The SASL mechanisms listed after AUTH, upper-cased.</summary>
    public IReadOnlySet<string> AuthMechanisms =>
        _keywords.TryGetValue("AUTH", out var mechanisms)
            ? mechanisms.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(m => m.ToUpperInvariant()).ToHashSet()
            : new HashSet<string>();

    /// <summary>The SIZE limit in bytes, or null when the server announced none (or SIZE 0: no fixed limit).</summary>
    public long? MaxMessageSize =>
        _keywords.TryGetValue("SIZE", out var size) && long.TryParse(size, NumberStyles.None, CultureInfo.InvariantCulture, out var limit) && limit > 0
            ? limit
            : null;

    public IEnumerable<string> Keywords => _keywords.Keys;
}
