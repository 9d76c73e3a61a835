using System.Text.Json;

namespace TokenBroker.Mail.Probe;

/// <summary>
/// The claims of a JWT access token that decide whether a mail server accepts it. Decoded without
/// validating the signature (the server does that) and without ever keeping the token itself.
/// </summary>
public sealed record AccessTokenClaims(
    IReadOnlyList<string> Audiences,
    IReadOnlyList<string> Scopes,
    IReadOnlyList<string> Roles,
    DateTimeOffset? ExpiresAt,
    DateTimeOffset? NotBefore,
    string? Upn,
    string? Email,
    string? PreferredUsername,
    string? Issuer)
{
    /// <summary>The token's user names (upn, email, preferred_username), without duplicates.</summary>
    public IReadOnlyList<string> UserNames =>
        new[] { Upn, Email, PreferredUsername }.OfType<string>().Distinct(StringComparer.OrdinalIgnoreCase).ToList();

    public bool IsAppOnly => Roles.Count > 0 && Scopes.Count == 0;

    /// <summary>Null when <paramref name="token"/> is not a JWT (opaque tokens exist: their claims cannot be checked).</summary>
    public static AccessTokenClaims? TryDecode(string token)
    {
        var parts = token.Trim().Split('.');
        if (parts.Length != 3) return null;
        try
        {
            using var document = JsonDocument.Parse(DecodeBase64Url(parts[1]));
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object) return null;
            return new AccessTokenClaims(
                Strings(root, "aud"),
                (String(root, "scp") ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries),
                Strings(root, "roles"),
                Time(root, "exp"),
                Time(root, "nbf"),
                String(root, "upn"),
                String(root, "email"),
                String(root, "preferred_username"),
                String(root, "iss"));
        }
        catch (Exception e) when (e is FormatException or JsonException or ArgumentException)
        {
            return null;
        }
    }

    /// <summary>A one-line summary safe to print (no token, no signature).</summary>
    public string Describe(DateTimeOffset now)
    {
        var parts = new List<string> { $"aud={Join(Audiences)}" };
        if (Scopes.Count > 0) parts.Add($"scp={string.Join(' ', Scopes)}");
        if (Roles.Count > 0) parts.Add($"roles={string.Join(' ', Roles)}");
        if (ExpiresAt is { } exp)
            parts.Add($"exp={exp.UtcDateTime:yyyy-MM-dd HH:mm:ss}Z ({(exp > now ? "in " + Span(exp - now) : "expired " + Span(now - exp) + " ago")})");
        if (UserNames.Count > 0) parts.Add($"user={string.Join(" / ", UserNames)}");
        return string.Join(", ", parts);
    }

    private static string Join(IReadOnlyList<string> values) => values.Count == 0 ? "(none)" : string.Join(' ', values);

    internal static string Span(TimeSpan span) =>
        span.TotalDays >= 1 ? $"{span.TotalDays:0.#} d" : span.TotalHours >= 1 ? $"{span.TotalHours:0.#} h" : span.TotalMinutes >= 1 ? $"{span.TotalMinutes:0} min" : $"{span.TotalSeconds:0} s";

    private static byte[] DecodeBase64Url(string text)
    {
        var base64 = text.Replace('-', '+').Replace('_', '/');
        return Convert.FromBase64String(base64 + new string('=', (4 - base64.Length % 4) % 4));
    }

    private static string? String(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static IReadOnlyList<string> Strings(JsonElement root, string name)
    {
        if (!root.TryGetProperty(name, out var value)) return [];
        return value.ValueKind switch
        {
            JsonValueKind.String => [value.GetString()!],
            JsonValueKind.Array => value.EnumerateArray().Where(v => v.ValueKind == JsonValueKind.String).Select(v => v.GetString()!).ToList(),
            _ => [],
        };
    }

    private static DateTimeOffset? Time(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var seconds)
            ? DateTimeOffset.FromUnixTimeSeconds(Math.Clamp(seconds, -62135596800L, 253402300799L))
            : null;
}
