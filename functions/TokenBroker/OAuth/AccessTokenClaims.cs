using System.Buffers.Text;
using System.Text.Json;

namespace TokenBroker.OAuth;

/// <summary>
/// The claims of a JWT the broker received straight from the token endpoint over TLS, read without
/// validating the signature (the broker is the client, not the resource). Never logged.
/// </summary>
public sealed class AccessTokenClaims
{
    private readonly Dictionary<string, JsonElement> _claims;

    private AccessTokenClaims(Dictionary<string, JsonElement> claims) => _claims = claims;

    public static AccessTokenClaims Parse(string jwt)
    {
        var parts = jwt.Split('.');
        if (parts.Length < 2)
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
        var claims = document.RootElement.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.Clone(), StringComparer.Ordinal);
        return new AccessTokenClaims(claims);
    }

    public string? Audience => GetString("aud");
    public string? TenantId => GetString("tid");
    public string? ObjectId => GetString("oid");

    /// <summary>Delegated permissions: "scp" is one space-separated string.</summary>
    public IReadOnlyList<string> Scopes =>
        GetString("scp")?.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) ?? [];

    /// <summary>Application permissions: "roles" is an array.</summary>
    public IReadOnlyList<string> Roles =>
        _claims.TryGetValue("roles", out var roles) && roles.ValueKind == JsonValueKind.Array
            ? roles.EnumerateArray().Where(r => r.ValueKind == JsonValueKind.String).Select(r => r.GetString()!).ToArray()
            : [];

    /// <summary>Every address-like claim naming the signed-in user.</summary>
    public IEnumerable<string> UserNames =>
        new[] { GetString("preferred_username"), GetString("upn"), GetString("email"), GetString("unique_name") }
            .Where(v => !string.IsNullOrWhiteSpace(v))!;

    public string? GetString(string name) =>
        _claims.TryGetValue(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
