using System.Text;

namespace TokenBroker.Mail.Tests.Peers;

/// <summary>The two OAuth SASL initial responses, base64-encoded, as the peer tests send them.</summary>
internal static class SaslPayloads
{
    // Note: "\u0001", never "\x01a…" (C# \x takes up to four hex digits).
    public static string XOAuth2(string user, string accessToken) =>
        Base64($"user={user}\u0001auth=Bearer {accessToken}\u0001\u0001");

    public static string OAuthBearer(string user, string accessToken, int port) =>
        Base64($"n,a={user},\u0001host=localhost\u0001port={port}\u0001auth=Bearer {accessToken}\u0001\u0001");

    /// <summary>What a client answers to the server's JSON error challenge: empty (XOAUTH2) or %x01 (OAUTHBEARER).</summary>
    public static string ChallengeAnswer(string mechanism) => mechanism == "OAUTHBEARER" ? "AQ==" : "";

    private static string Base64(string text) => Convert.ToBase64String(Encoding.UTF8.GetBytes(text));
}
