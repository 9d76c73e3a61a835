using System.Net.Http.Json;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using TokenBroker.Mail.Net;
using TokenBroker.Testing;

namespace TokenBroker.Mail.Tests.Support;

/// <summary>
/// The real Dovecot and identity server started by infra/local/peers (see PeersEnvironment): endpoints,
/// client options that trust the peers' CA, tokens minted through the identity server's control endpoint,
/// and a fresh mailbox per test. A missing peer fails the test.
/// </summary>
internal static class DovecotPeer
{
    private static readonly Lazy<X509Certificate2> CertificateAuthority =
        new(() => X509CertificateLoader.LoadCertificateFromFile(PeersEnvironment.Get("PEERS_CA_FILE")));

    private static readonly Lazy<HttpClient> Http = new(() =>
    {
        var handler = new SocketsHttpHandler
        {
            SslOptions = new SslClientAuthenticationOptions
            {
                RemoteCertificateValidationCallback = (_, certificate, _, _) =>
                {
                    if (certificate is null) return false;
                    using var chain = new X509Chain();
                    chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                    chain.ChainPolicy.CustomTrustStore.Add(CertificateAuthority.Value);
                    chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                    return chain.Build(new X509Certificate2(certificate));
                },
            },
        };
        return new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(20) };
    });

    public static MailEndpoint Imap => Endpoint("imap", "IMAP_PORT");
    public static MailEndpoint Imaps => Endpoint("imaps", "IMAPS_PORT");
    public static MailEndpoint Pop3 => Endpoint("pop3", "POP3_PORT");
    public static MailEndpoint Pop3s => Endpoint("pop3s", "POP3S_PORT");

    public static MailClientOptions ClientOptions(IMailProtocolLog? log = null) => new()
    {
        ExtraTrustedRoots = [CertificateAuthority.Value],
        ConnectTimeout = TimeSpan.FromSeconds(15),
        CommandTimeout = TimeSpan.FromSeconds(30),
        ProtocolLog = log,
    };

    /// <summary>A mailbox nobody else uses (Dovecot accepts every user whose token is valid).</summary>
    public static string NewUser(string purpose) => $"{purpose}-{Guid.NewGuid():N}"[..Math.Min(purpose.Length + 13, 40)] + "@tokenbroker.test";

    /// <summary>Mints an access token for <paramref name="user"/> (expired with a negative lifetime; signed by an untrusted key with <paramref name="wrongKey"/>).</summary>
    public static async Task<string> MintTokenAsync(string user, int expiresInSeconds = 3600, bool wrongKey = false, JsonObject? claims = null)
    {
        var body = new JsonObject { ["user"] = user, ["expiresInSeconds"] = expiresInSeconds, ["wrongKey"] = wrongKey };
        if (claims is not null) body["claims"] = claims;
        using var response = await Http.Value.PostAsJsonAsync(PeersEnvironment.Get("IDENTITY_CONTROL_URL") + "/tokens", body);
        response.EnsureSuccessStatusCode();
        var json = await response.Content.ReadFromJsonAsync<JsonObject>();
        return json!["access_token"]!.GetValue<string>();
    }

    /// <summary>A valid token of about <paramref name="length"/> characters (padded with an extra claim), like large Entra tokens.</summary>
    public static async Task<string> MintTokenOfLengthAsync(string user, int length)
    {
        var plain = await MintTokenAsync(user);
        var padding = Math.Max(0, (length - plain.Length) * 3 / 4 - 12);
        return await MintTokenAsync(user, claims: new JsonObject { ["padding"] = new string('p', padding) });
    }

    /// <summary>The files of a user's Maildir (new and cur).</summary>
    public static IReadOnlyList<string> MaildirFiles(string user)
    {
        var root = PeersEnvironment.Get("MAILDIR_PATTERN").Replace("{user}", user.ToLowerInvariant());
        return new[] { "new", "cur" }.Select(sub => Path.Combine(root, sub)).Where(Directory.Exists)
            .SelectMany(Directory.GetFiles).ToList();
    }

    private static MailEndpoint Endpoint(string scheme, string portKey) =>
        MailEndpoint.Parse($"{scheme}://{PeersEnvironment.Get("MAIL_HOST")}:{PeersEnvironment.Get(portKey)}");
}
