using System.Buffers.Text;
using System.Text.Json;

namespace TokenBroker.Mail.Tokens;

/// <summary>
/// The claims of a JWT access token that decide whether a mail server accepts it: audience, scopes or
/// roles, lifetime and the user. Read without validating the signature (the token came from the token
/// endpoint over TLS, and the mail server validates it) and without ever keeping the token itself.
/// </summary>
public sealed class AccessTokenClaims
{
    private readonly Dictionary<string, JsonElement> _claims;

    private AccessTokenClaims(Dictionary<string, JsonElement> claims) => _claims = claims;

    /// <summary>Reads a JWT's payload; <see cref="FormatException"/> (or <see cref="JsonException"/>) names what is wrong with it.</summary>
    public static AccessTokenClaims Parse(string jwt)
    {
        ArgumentNullException.ThrowIfNull(jwt);
        var parts = jwt.Trim().Split('.');
        if (parts.Length != 3)
            throw new FormatException("The access token is not a JWT (expected header.payload.signature).");
        byte[] payload;
        try
        {
            payload = Base64Url.DecodeFromChars(parts[1]);
        }
        catch (FormatException)
        {
            throw new FormatException("The access token's payload is not base64url.");
        }
        using var document = JsonDocument.Parse(payload);
        if (document.RootElement.ValueKind != JsonValueKind.Object)
            throw new FormatException("The access token's payload is not a JSON object.");
        var claims = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        // A repeated claim counts once, its last value winning, as JsonElement.TryGetProperty reads it.
        foreach (var claim in document.RootElement.EnumerateObject())
            claims[claim.Name] = claim.Value.Clone();
        return new AccessTokenClaims(claims);
    }

    /// <summary>Null when <paramref name="token"/> is not a JWT (opaque tokens exist: their claims cannot be checked).</summary>
    public static AccessTokenClaims? TryDecode(string token)
    {
        try
        {
            return Parse(token);
        }
        catch (Exception e) when (e is FormatException or JsonException)
        {
            return null;
        }
    }

    /// <summary>Every audience: "aud" is one string (Entra) or an array.</summary>
    public IReadOnlyList<string> Audiences => GetStrings("aud");

    /// <summary>The audience when "aud" is a single string, as Entra issues it; null when absent or an array.</summary>
    public string? Audience => GetString("aud");

    public string? TenantId => GetString("tid");

    public string? ObjectId => GetString("oid");

    public string? Issuer => GetString("iss");

    /// <summary>Delegated permissions: "scp" is one space-separated string.</summary>
    public IReadOnlyList<string> Scopes =>
        GetString("scp")?.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) ?? [];

    /// <summary>Application permissions: "roles" is an array (a lone string is read as one role).</summary>
    public IReadOnlyList<string> Roles => GetStrings("roles");

    public DateTimeOffset? ExpiresAt => GetTime("exp");

    public DateTimeOffset? NotBefore => GetTime("nbf");

    /// <summary>Every address-like claim naming the signed-in user (upn, email, preferred_username, unique_name), without duplicates.</summary>
    public IReadOnlyList<string> UserNames =>
        new[] { GetString("upn"), GetString("email"), GetString("preferred_username"), GetString("unique_name") }
            .Where(name => !string.IsNullOrWhiteSpace(name))
            .Select(name => name!)
            .Distinct(StringComparer.OrdinalIgnoreCase)
            .ToList();

    public bool IsAppOnly => Roles.Count > 0 && Scopes.Count == 0;

    public string? GetString(string name) =>
        _claims.TryGetValue(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    /// <summary>A one-line summary safe to print (no token, no signature).</summary>
    public string Describe(DateTimeOffset now)
    {
        var parts = new List<string> { $"aud={(Audiences.Count == 0 ? "(none)" : string.Join(' ', Audiences))}" };
        if (Scopes.Count > 0) parts.Add($"scp={string.Join(' ', Scopes)}");
        if (Roles.Count > 0) parts.Add($"roles={string.Join(' ', Roles)}");
        if (ExpiresAt is { } exp)
            parts.Add($"exp={exp.UtcDateTime:yyyy-MM-dd HH:mm:ss}Z ({(exp > now ? "in " + DurationText.Of(exp - now) : "expired " + DurationText.Of(now - exp) + " ago")})");
        if (UserNames.Count > 0) parts.Add($"user={string.Join(" / ", UserNames)}");
        return string.Join(", ", parts);
    }

    private IReadOnlyList<string> GetStrings(string name)
    {
        if (!_claims.TryGetValue(name, out var value)) return [];
        return value.ValueKind switch
        {
            JsonValueKind.String => [value.GetString()!],
            JsonValueKind.Array => value.EnumerateArray().Where(v => v.ValueKind == JsonValueKind.String).Select(v => v.GetString()!).ToList(),
            _ => [],
        };
    }

    private DateTimeOffset? GetTime(string name) =>
        _claims.TryGetValue(name, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var seconds)
            // Clamped to what DateTimeOffset can hold: a token may carry any number.
            ? DateTimeOffset.FromUnixTimeSeconds(Math.Clamp(seconds, -62135596800L, 253402300799L))
            : null;
}
