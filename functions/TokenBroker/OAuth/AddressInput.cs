using System.Diagnostics.CodeAnalysis;
using System.Net.Mail;

namespace TokenBroker.OAuth;

/// <summary>Mailbox addresses as the front door accepts them: a bare addr-spec, no display name.</summary>
public static class AddressInput
{
    public static bool TryNormalize(string? text, [NotNullWhen(true)] out string? address, [NotNullWhen(false)] out string? error)
    {
        address = null;
        var trimmed = text?.Trim();
        if (string.IsNullOrEmpty(trimmed))
        {
            error = "The mailbox address is missing.";
            return false;
        }
        if (trimmed.Length > 254 || !MailAddress.TryCreate(trimmed, out var parsed) || parsed.Address != trimmed
            || !parsed.Host.Contains('.') || trimmed.Any(char.IsControl))
        {
            error = $"'{trimmed}' is not a mailbox address (expected something like user@contoso.com).";
            return false;
        }
        address = trimmed;
        error = null;
        return true;
    }

    public static bool SameAddress(string? a, string? b) =>
        a is not null && b is not null && string.Equals(a.Trim(), b.Trim(), StringComparison.OrdinalIgnoreCase);
}
