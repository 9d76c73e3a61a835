using System.Text;
using System.Text.Json.Nodes;

namespace TokenBroker.Mail.Tests.Support;

/// <summary>JWTs whose payload a test chooses; the signature is a placeholder (claims are read, never verified, here).</summary>
internal static class TestJwts
{
    public static string WithPayload(JsonObject payload) =>
        $"{Base64Url("{\"typ\":\"JWT\",\"alg\":\"RS256\"}")}.{Base64Url(payload.ToJsonString())}.c2lnbmF0dXJl";

    public static string Base64Url(string text) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes(text)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
