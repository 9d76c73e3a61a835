using TokenBroker.Mail.Fetch;
using TokenBroker.Mail.Net;
using TokenBroker.Testing;

namespace TokenBroker.Mail.Tests.Support;

/// <summary>
/// The real peers as the mail tests use them (see tests/Shared/Peers): Dovecot's and Postfix's endpoints,
/// client options trusting only the test CA, tokens minted by the identity server, and a fresh mailbox
/// address per test. A missing peer fails the test.
/// </summary>
public static class MailPeers
{
    private static readonly Lazy<IdentityServerControl> Identity = new(() => new IdentityServerControl());

    public static string Host => PeersEnvironment.Get("MAIL_HOST");

    public static string Domain => PeersEnvironment.Get("IDENTITY_TENANT_DOMAIN");

    public static MailEndpoint Imap => Endpoint("imap", "IMAP_PORT");
    public static MailEndpoint Imaps => Endpoint("imaps", "IMAPS_PORT");
    public static MailEndpoint Pop3 => Endpoint("pop3", "POP3_PORT");
    public static MailEndpoint Pop3s => Endpoint("pop3s", "POP3S_PORT");

    /// <summary>Dovecot submission with STARTTLS (B+14), implicit TLS (B+15), and Postfix submission (B+21).</summary>
    public static MailEndpoint Submission(string server) => server switch
    {
        "dovecot-starttls" => Endpoint("smtp", "SUBMISSION_PORT"),
        "dovecot-implicit" => Endpoint("smtps", "SUBMISSIONS_PORT"),
        "postfix-starttls" => Endpoint("smtp", "POSTFIX_SUBMISSION_PORT"),
        _ => throw new ArgumentOutOfRangeException(nameof(server), server, null),
    };

    public static MailClientOptions ClientOptions(IMailProtocolLog? log = null) => new()
    {
        ExtraTrustedRoots = [TestCertificates.CertificateAuthority],
        ConnectTimeout = TimeSpan.FromSeconds(15),
        CommandTimeout = TimeSpan.FromSeconds(30),
        ProtocolLog = log,
    };

    /// <summary>A mailbox nobody else uses, so each test reads only its own Maildir (any user with a valid token is one).</summary>
    public static string NewUser(string prefix) => Maildir.UniqueAddress(prefix);

    /// <summary>Mints an access token for <paramref name="user"/> (expired with a negative lifetime; signed by an untrusted key with <paramref name="wrongKey"/>).</summary>
    public static Task<string> MintTokenAsync(string user, int expiresInSeconds = 3600, bool wrongKey = false, IReadOnlyDictionary<string, object?>? claims = null) =>
        Identity.Value.MintAccessTokenAsync(user, expiresIn: TimeSpan.FromSeconds(expiresInSeconds), wrongKey: wrongKey, extraClaims: claims);

    /// <summary>Plain-then-STARTTLS (false) and implicit TLS (true), each with both OAuth mechanisms.</summary>
    public static TheoryData<bool, MailSaslMechanism> TlsModesAndMechanisms => new()
    {
        { false, MailSaslMechanism.XOAuth2 }, { false, MailSaslMechanism.OAuthBearer },
        { true, MailSaslMechanism.XOAuth2 }, { true, MailSaslMechanism.OAuthBearer },
    };

    /// <summary>The problems <see cref="MintRefusedTokenAsync"/> knows.</summary>
    public static TheoryData<string> RefusedTokenProblems => new() { "expired", "wrong-user", "bad-signature" };

    /// <summary>A token the mail servers refuse for <paramref name="user"/>: "expired", "wrong-user" (another user's) or "bad-signature".</summary>
    public static async Task<string> MintRefusedTokenAsync(string user, string problem) => problem switch
    {
        "expired" => await MintTokenAsync(user, expiresInSeconds: -600),
        "wrong-user" => await MintTokenAsync(NewUser("someone-else")),
        "bad-signature" => await MintTokenAsync(user, wrongKey: true),
        _ => throw new ArgumentOutOfRangeException(nameof(problem), problem, null),
    };

    /// <summary>A valid token of at least <paramref name="length"/> characters (and at most a few more), padded with
    /// an extra claim, like the large tokens Entra issues to users in many groups.</summary>
    public static async Task<string> MintTokenOfLengthAsync(string user, int length)
    {
        const int PaddingClaimOverhead = 13; // ,"padding":""
        var token = await MintTokenAsync(user);
        var padding = 0;
        while (token.Length < length)
        {
            // Base64url makes every 3 claim characters 4 token characters.
            padding = Math.Max(padding + 1, padding + (length - token.Length) * 3 / 4 - (padding == 0 ? PaddingClaimOverhead : 0));
            token = await MintTokenAsync(user, claims: new Dictionary<string, object?> { ["padding"] = new string('p', padding) });
        }
        return token;
    }

    /// <summary>Waits (bounded) until <paramref name="count"/> messages are delivered to <paramref name="user"/> and returns their bytes.</summary>
    public static async Task<List<byte[]>> WaitForDeliveryAsync(string user, int count = 1, TimeSpan? timeout = null)
    {
        var messages = await Maildir.For(user).WaitForMessagesAsync(count, timeout ?? TimeSpan.FromSeconds(30));
        return messages.Select(message => message.ReadAllBytes()).ToList();
    }

    private static MailEndpoint Endpoint(string scheme, string portKey) =>
        MailEndpoint.Parse($"{scheme}://{Host}:{PeersEnvironment.Get(portKey)}");
}
