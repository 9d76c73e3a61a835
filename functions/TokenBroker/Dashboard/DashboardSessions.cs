using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using TokenBroker.Callers;
using TokenBroker.Hosting.Configuration;
using TokenBroker.OAuth;
using TokenBroker.Store;

namespace TokenBroker.Dashboard;

/// <summary>
/// The dashboard's sign-in session: an HttpOnly, SameSite=Strict cookie (Secure on https) holding a signed, expiring
/// note of which credential signed in — a client's id, or "the master key" — and a fingerprint of that credential's
/// stored hash, never the secret. Every request looks the client up again, so a removed or re-keyed client, or a
/// changed master key, ends its sessions at once. CSRF tokens are derived from the session's random nonce.
/// </summary>
public sealed class DashboardSessions(IBrokerSecrets secrets, IClientRegistry clients, IOptions<BrokerOptions> broker, TimeProvider time)
{
    public const string CookieName = "tb_dashboard";
    public const string SignInCookieName = "tb_dashboard_signin";
    public const string CookiePath = "/api/dashboard";
    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(8);
    private const string KeyName = "dashboard-session-key";
    private const string MasterKeyKind = "master";
    private const string ClientKind = "client";
    private const string MasterKeyName = "admin key (Broker:AdminKey)";

    internal sealed record Session(
        [property: JsonPropertyName("k")] string Kind,
        [property: JsonPropertyName("i")] string ClientId,
        [property: JsonPropertyName("f")] string Fingerprint,
        [property: JsonPropertyName("e")] long ExpiresAt,
        [property: JsonPropertyName("n")] string Nonce);

    /// <summary>A signed-in caller and the CSRF token its forms must carry.</summary>
    public sealed record SignedIn(Caller Caller, string CsrfToken);

    /// <summary>Starts a session for <paramref name="presented"/>; false when it is no valid client secret or master key (checked again here, so no caller can start a session for a client by its id alone).</summary>
    public async Task<bool> StartAsync(HttpContext context, string presented, CancellationToken cancellationToken)
    {
        Session session;
        var nonce = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(16));
        var expires = (time.GetUtcNow() + Lifetime).ToUnixTimeSeconds();
        if (broker.Value.AdminKey is { Length: > 0 } master && FixedEquals(presented, master))
            session = new Session(MasterKeyKind, "", Fingerprint(master), expires, nonce);
        else if (ClientSecret.TryParse(presented, out var id, out var random)
                 && await clients.FindByIdAsync(id, cancellationToken).ConfigureAwait(false) is { } client
                 && ClientSecret.Matches(random, client.SecretHash))
            session = new Session(ClientKind, id, Fingerprint(client.SecretHash), expires, nonce);
        else
            return false;
        var key = await KeyAsync(cancellationToken).ConfigureAwait(false);
        context.Response.Cookies.Append(CookieName, SignedEnvelope.Seal(session, key), CookieOptions(context, Lifetime));
        context.Response.Cookies.Delete(SignInCookieName, CookieOptions(context, null));
        return true;
    }

    /// <summary>The signed-in caller, or null (no cookie, forged, expired, or its credential is gone or changed).</summary>
    public async Task<SignedIn?> CurrentAsync(HttpContext context, CancellationToken cancellationToken)
    {
        var key = await KeyAsync(cancellationToken).ConfigureAwait(false);
        var (session, _) = SignedEnvelope.Open<Session>(context.Request.Cookies[CookieName], key);
        if (session is null || DateTimeOffset.FromUnixTimeSeconds(session.ExpiresAt) <= time.GetUtcNow()) return null;
        Caller? caller = null;
        if (session.Kind == MasterKeyKind)
        {
            if (broker.Value.AdminKey is { Length: > 0 } master && Fingerprint(master) == session.Fingerprint)
                caller = new Caller(MasterKeyName, MailboxScope.Everything, CallerOperations.All);
        }
        else if (session.Kind == ClientKind && ClientSecret.IsValidId(session.ClientId)
                 && await clients.FindByIdAsync(session.ClientId, cancellationToken).ConfigureAwait(false) is { } client
                 && Fingerprint(client.SecretHash) == session.Fingerprint)
        {
            caller = new Caller(client.Name, client.Mailboxes, client.Operations);
        }
        return caller is null ? null : new SignedIn(caller, Derive(key, "csrf:" + session.Nonce));
    }

    public void End(HttpContext context) => context.Response.Cookies.Delete(CookieName, CookieOptions(context, null));

    /// <summary>The sign-in form's CSRF token, bound to a random value in a short-lived cookie set with the form.</summary>
    public async Task<string> SignInTokenAsync(HttpContext context, CancellationToken cancellationToken)
    {
        var nonce = context.Request.Cookies[SignInCookieName] is { Length: 22 } existing ? existing : Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(16));
        context.Response.Cookies.Append(SignInCookieName, nonce, CookieOptions(context, TimeSpan.FromMinutes(30)));
        return Derive(await KeyAsync(cancellationToken).ConfigureAwait(false), "signin:" + nonce);
    }

    public async Task<bool> IsValidSignInTokenAsync(HttpContext context, string? token, CancellationToken cancellationToken) =>
        context.Request.Cookies[SignInCookieName] is { Length: > 0 } nonce && token is not null
        && FixedEquals(token, Derive(await KeyAsync(cancellationToken).ConfigureAwait(false), "signin:" + nonce));

    public static bool IsValidCsrfToken(SignedIn signedIn, string? token) => token is not null && FixedEquals(token, signedIn.CsrfToken);

    private Task<byte[]> KeyAsync(CancellationToken cancellationToken) => secrets.GetOrCreateKeyAsync(KeyName, 32, cancellationToken);

    private static CookieOptions CookieOptions(HttpContext context, TimeSpan? lifetime) => new()
    {
        HttpOnly = true,
        SameSite = SameSiteMode.Strict,
        Secure = context.Request.IsHttps,
        Path = CookiePath,
        MaxAge = lifetime,
        IsEssential = true,
    };

    private static string Fingerprint(string text) => Base64Url.EncodeToString(SHA256.HashData(Encoding.UTF8.GetBytes(text)).AsSpan(0, 16));

    private static string Derive(byte[] key, string purpose) => Base64Url.EncodeToString(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(purpose)));

    private static bool FixedEquals(string a, string b) =>
        CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(a), Encoding.UTF8.GetBytes(b));
}
