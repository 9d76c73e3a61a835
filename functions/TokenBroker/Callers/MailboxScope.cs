using TokenBroker.OAuth;

namespace TokenBroker.Callers;

/// <summary>
/// The mailboxes a caller may act on: exact addresses, whole domains ("*@contoso.com") or every mailbox ("*").
/// Compared case-insensitively; nothing else (no partial wildcards) so a scope means what it reads.
/// </summary>
public sealed record MailboxScope(IReadOnlyList<string> Patterns)
{
    public const int MaxPatterns = 1000;

    public static MailboxScope Everything { get; } = new(["*"]);

    public bool Covers(string mailbox) => Patterns.Any(pattern => Matches(pattern, mailbox));

    public override string ToString() => string.Join(",", Patterns);

    public static bool TryParse(string? text, out MailboxScope scope, out string? problem)
    {
        scope = new MailboxScope([]);
        problem = null;
        var patterns = new List<string>();
        foreach (var part in (text ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (part == "*") { patterns.Add("*"); continue; }
            if (part.StartsWith("*@", StringComparison.Ordinal))
            {
                var domain = part[2..].ToLowerInvariant();
                if (domain.Length == 0 || domain.Length > 253 || !domain.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '.') || !domain.Contains('.'))
                {
                    problem = $"'{part}' is not a domain pattern; write *@contoso.com.";
                    return false;
                }
                patterns.Add("*@" + domain);
                continue;
            }
            if (!AddressInput.TryNormalize(part, out var address, out var addressProblem))
            {
                problem = $"'{part}': {addressProblem}";
                return false;
            }
            patterns.Add(address);
        }
        if (patterns.Count == 0) problem = "Name at least one mailbox, a domain (*@contoso.com) or * for every mailbox.";
        else if (patterns.Count > MaxPatterns) problem = $"A scope names at most {MaxPatterns} patterns; use domain patterns.";
        if (problem is not null) return false;
        scope = new MailboxScope(patterns.Distinct(StringComparer.OrdinalIgnoreCase).ToArray());
        return true;
    }

    private static bool Matches(string pattern, string mailbox)
    {
        if (pattern == "*") return true;
        if (pattern.StartsWith("*@", StringComparison.Ordinal))
        {
            var at = mailbox.LastIndexOf('@');
            return at >= 0 && mailbox.AsSpan(at + 1).Equals(pattern.AsSpan(2), StringComparison.OrdinalIgnoreCase);
        }
        return AddressInput.SameAddress(pattern, mailbox);
    }
}
