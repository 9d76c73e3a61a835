using System.Text;
using System.Text.Json;

namespace TokenBroker.Mail.Sasl;

/// <summary>
/// The JSON error a server sends as a challenge when an OAuth token is refused (RFC 7628 §3.2.2;
/// Google and Dovecot send it for XOAUTH2 too), e.g.
/// {"status":"401","schemes":"bearer","scope":"mail","openid-configuration":"https://…"}.
/// </summary>
public sealed record SaslServerError(
    string? Status,
    string? Schemes,
    string? Scope,
    string? OpenIdConfiguration,
    string RawJson)
{
    /// <summary>Decodes a challenge; a challenge that is not a JSON object is kept as <see cref="RawJson"/> only.</summary>
    public static SaslServerError Parse(byte[] challenge)
    {
        var raw = Encoding.UTF8.GetString(challenge);
        try
        {
            using var document = JsonDocument.Parse(challenge);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
                return new SaslServerError(null, null, null, null, raw);
            var root = document.RootElement;
            return new SaslServerError(
                ReadString(root, "status"),
                ReadString(root, "schemes"),
                ReadString(root, "scope"),
                ReadString(root, "openid-configuration"),
                raw);
        }
        catch (JsonException)
        {
            return new SaslServerError(null, null, null, null, raw);
        }
    }

    public override string ToString() =>
        Status is null ? $"server error challenge: {RawJson}" : $"server error challenge: status {Status}, schemes {Schemes}, scope {Scope}";

    private static string? ReadString(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value)
            ? value.ValueKind == JsonValueKind.String ? value.GetString() : value.GetRawText()
            : null;
}
