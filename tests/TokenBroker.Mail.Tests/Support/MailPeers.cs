using System.Net.Http.Json;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using TokenBroker.Mail.Net;
using TokenBroker.Testing;

namespace TokenBroker.Mail.Tests.Support;

/// <summary>
/// The real peers for mail tests: client options trusting the peers' CA, access tokens minted by the
/// identity server's control endpoint, and the recipients' Maildirs. A missing peer fails the test.
/// </summary>
public static class MailPeers
{
    private static readonly Lazy<X509Certificate2Collection> CaRoots = new(() =>
        [X509CertificateLoader.LoadCertificateFromFile(PeersEnvironment.Get("PEERS_CA_FILE"))]);

    private static readonly Lazy<HttpClient> Http = new(() =>
    {
        var handler = new SocketsHttpHandler();
        handler.SslOptions.CertificateChainPolicy = new X509ChainPolicy
        {
            TrustMode = X509ChainTrustMode.CustomRootTrust,
            RevocationMode = X509RevocationMode.NoCheck,
        };
        handler.SslOptions.CertificateChainPolicy.CustomTrustStore.AddRange(CaRoots.Value);
        return new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(20) };
    });

    public static string Host => PeersEnvironment.Get("MAIL_HOST");

    public static string Domain => PeersEnvironment.Get("IDENTITY_TENANT_DOMAIN");

    /// <summary>A fresh mailbox address, so each test reads only its own Maildir.</summary>
    public static string NewUser(string prefix) => $"{prefix}-{Guid.NewGuid().ToString("N")[..12]}@{Domain}";

    public static MailClientOptions ClientOptions() => new()
    {
        ExtraTrustedRoots = CaRoots.Value,
        ConnectTimeout = TimeSpan.FromSeconds(10),
        CommandTimeout = TimeSpan.FromSeconds(30),
    };

    /// <summary>Dovecot submission with STARTTLS (B+14), implicit TLS (B+15), and Postfix submission (B+21).</summary>
    public static MailEndpoint Endpoint(string server) => server switch
    {
        "dovecot-starttls" => MailEndpoint.Parse($"smtp://{Host}:{PeersEnvironment.Get("SUBMISSION_PORT")}"),
        "dovecot-implicit" => MailEndpoint.Parse($"smtps://{Host}:{PeersEnvironment.Get("SUBMISSIONS_PORT")}"),
        "postfix-starttls" => MailEndpoint.Parse($"smtp://{Host}:{PeersEnvironment.Get("POSTFIX_SUBMISSION_PORT")}"),
        _ => throw new ArgumentOutOfRangeException(nameof(server), server, null),
    };

    /// <summary>Mints an access token for <paramref name="user"/> through POST /_control/tokens.</summary>
    public static async Task<string> MintTokenAsync(string user, int? expiresInSeconds = null, bool wrongKey = false, Dictionary<string, object>? claims = null)
    {
        var body = new Dictionary<string, object> { ["user"] = user };
        if (expiresInSeconds is { } seconds) body["expiresInSeconds"] = seconds;
        if (wrongKey) body["wrongKey"] = true;
        if (claims is not null) body["claims"] = claims;
        using var response = await Http.Value.PostAsJsonAsync(PeersEnvironment.Get("IDENTITY_CONTROL_URL") + "/tokens", body);
        response.EnsureSuccessStatusCode();
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return json.RootElement.GetProperty("access_token").GetString()!;
    }

    /// <summary>A token of at least <paramref name="length"/> characters (and under length + 100), padded with
    /// an extra claim, like the large tokens Entra issues to users in many groups.</summary>
    public static async Task<string> MintTokenOfLengthAsync(string user, int length)
    {
        var plain = await MintTokenAsync(user);
        // Base64url makes every 3 claim characters 4 token characters.
        var padding = Math.Max(0, (length - plain.Length) * 3 / 4 + 30);
        var token = await MintTokenAsync(user, claims: new() { ["padding"] = new string('p', padding) });
        while (token.Length < length)
            token = await MintTokenAsync(user, claims: new() { ["padding"] = new string('p', padding += 30) });
        return token;
    }

    /// <summary>Waits (bounded) until <paramref name="count"/> messages are delivered to <paramref name="user"/> and returns their bytes.</summary>
    public static async Task<List<byte[]>> WaitForDeliveryAsync(string user, int count = 1, TimeSpan? timeout = null)
    {
        var maildir = PeersEnvironment.Get("MAILDIR_PATTERN").Replace("{user}", user.ToLowerInvariant());
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (true)
        {
            var files = new[] { "new", "cur" }.Select(d => Path.Combine(maildir, d)).Where(Directory.Exists)
                .SelectMany(Directory.GetFiles).Order(StringComparer.Ordinal).ToList();
            if (files.Count >= count)
                return files.Select(File.ReadAllBytes).ToList();
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"{files.Count} of {count} messages reached {maildir} within the timeout; see {PeersEnvironment.Get("POSTFIX_LOG")} and {PeersEnvironment.Get("DOVECOT_LOG")}.");
            await Task.Delay(100);
        }
    }
}
