using System.Security.Cryptography;
using System.Text;

namespace TokenBroker.Jobs.Ledger;

/// <summary>
/// The RFC 5322 Message-ID of a send request, derived from its mailbox and idempotency key so that a redelivered
/// request carries the same Message-ID as the first attempt (duplicates can then be recognised downstream).
/// </summary>
public static class MessageIds
{
    /// <summary>
    /// <c>&lt;base32(sha256(lower(mailbox) + LF + key))@fromDomain&gt;</c>, lower case, e.g.
    /// <c>&lt;k3j...q@contoso.com&gt;</c>. The line feed cannot occur in either part, so no two pairs share an input.
    /// </summary>
    /// <param name="fromDomain">The domain of the From address, e.g. "contoso.com" (see <see cref="DomainOf"/>).</param>
    public static string For(string mailbox, string idempotencyKey, string fromDomain)
    {
        var normalizedMailbox = LedgerKeys.NormalizeMailbox(mailbox);
        ArgumentException.ThrowIfNullOrEmpty(idempotencyKey);
        var domain = ValidDomain(fromDomain);
        var digest = SHA256.HashData(Encoding.UTF8.GetBytes($"{normalizedMailbox}\n{idempotencyKey}"));
        return $"<{LowerBase32.Encode(digest)}@{domain}>";
    }

    /// <summary>The domain part of an address ("Alice@Contoso.com" → "contoso.com").</summary>
    public static string DomainOf(string address)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(address);
        var at = address.LastIndexOf('@');
        if (at < 0 || at == address.Length - 1)
            throw new ArgumentException($"'{address}' is not a mail address: it has no domain after '@'.", nameof(address));
        return ValidDomain(address[(at + 1)..]);
    }

    // The right side of a Message-ID is a dot-atom (RFC 5322 3.6.4); a host name is the useful subset.
    private static string ValidDomain(string domain)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(domain);
        var lower = domain.Trim().ToLowerInvariant();
        var valid = !lower.StartsWith('.') && !lower.EndsWith('.') && !lower.Contains("..", StringComparison.Ordinal)
                    && lower.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-' or '.');
        return valid ? lower : throw new ArgumentException($"'{domain}' is not a domain name usable in a Message-ID.", nameof(domain));
    }
}
