using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Options;
using Microsoft.Identity.Client;
using TokenBroker.Hosting;
using TokenBroker.Store;

namespace TokenBroker.OAuth.DeviceCode;

/// <summary>The identity provider's answer to a device authorization request (RFC 8628 §3.2).</summary>
public sealed record DeviceAuthorization(
    [property: JsonPropertyName("device_code")] string DeviceCode,
    [property: JsonPropertyName("user_code")] string UserCode,
    [property: JsonPropertyName("verification_uri")] string VerificationUri,
    [property: JsonPropertyName("expires_in")] int ExpiresIn,
    [property: JsonPropertyName("interval")] int Interval,
    [property: JsonPropertyName("message")] string? Message)
{
    public override string ToString() => $"DeviceAuthorization {{ UserCode = {UserCode}, VerificationUri = {VerificationUri}, DeviceCode = *** }}";
}

/// <summary>One poll's result: still waiting (with the interval to keep), refused (the provider's error), or the refresh token and the kind of client it was issued to.</summary>
public sealed record DevicePoll(bool Pending, int Interval, TokenFailure? Failure, string? RefreshToken, MailboxClientKind ClientKind = MailboxClientKind.Confidential)
{
    public override string ToString() => $"DevicePoll {{ Pending = {Pending}, Failure = {Failure?.Reason}, RefreshToken = {(RefreshToken is null ? "none" : "***")} }}";
}

/// <summary>
/// RFC 8628 over HTTP for a broker that must answer across requests (start, then polls, possibly on other instances):
/// MSAL.NET's device code call holds one request open until the sign-in, so the remote flow speaks the two endpoints
/// itself, through MSAL's HttpClient (same trust, same timeout). The token request carries the broker's client
/// secret when it has one (Entra accepts it in the device code grant), so the refresh token is a confidential
/// client's like the browser consent's and needs no "Allow public client flows"; with a certificate it carries none
/// (the flow is then a public client's, AADSTS700025 would refuse that token with the certificate later). The refresh
/// token it finally receives is handed to MSAL (<see cref="Import.RefreshTokenImport"/>), as that kind of client.
/// </summary>
public sealed class DeviceAuthorizationClient(IMsalHttpClientFactory http, IOptions<OAuthOptions> options)
{
    private const int MaxAnswerBytes = 64 * 1024;

    public async Task<DeviceAuthorization> StartAsync(string tenantId, IEnumerable<string> scopes, CancellationToken cancellationToken = default)
    {
        var o = options.Value;
        using var response = await http.GetHttpClient().PostAsync(o.AuthorityFor(tenantId) + "/oauth2/v2.0/devicecode", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["client_id"] = o.ClientId!,
            ["scope"] = string.Join(" ", scopes.Append(MailScopes.OfflineAccess).Append("openid").Append("profile")),
        }), cancellationToken).ConfigureAwait(false);
        var body = await ReadAsync(response, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
            throw new DeviceAuthorizationException(FailureOf(body, (int)response.StatusCode));
        return body.Deserialize<DeviceAuthorization>() is { DeviceCode.Length: > 0, UserCode.Length: > 0 } started
            ? started
            : throw new DeviceAuthorizationException(new TokenFailure(TokenFailureKind.Failed, "The identity provider's device authorization answer lacks a device or user code."));
    }

    public async Task<DevicePoll> PollAsync(string tenantId, string deviceCode, int interval, CancellationToken cancellationToken = default)
    {
        var o = options.Value;
        var request = new Dictionary<string, string>
        {
            ["grant_type"] = "urn:ietf:params:oauth:grant-type:device_code",
            ["client_id"] = o.ClientId!,
            ["device_code"] = deviceCode,
        };
        var clientKind = MailboxClientKind.Public;
        if (!string.IsNullOrEmpty(o.ClientSecret)) // the broker's credential when it is a secret (a secret wins over a certificate, as in ClientCredentialLoader)
        {
            request["client_secret"] = o.ClientSecret;
            clientKind = MailboxClientKind.Confidential;
        }
        using var content = new FormUrlEncodedContent(request);
        using var response = await http.GetHttpClient().PostAsync(o.AuthorityFor(tenantId) + "/oauth2/v2.0/token", content, cancellationToken).ConfigureAwait(false);
        var body = await ReadAsync(response, cancellationToken).ConfigureAwait(false);
        if (response.IsSuccessStatusCode)
            return body.TryGetProperty("refresh_token", out var token) && token.GetString() is { Length: > 0 } refreshToken
                ? new DevicePoll(false, interval, null, refreshToken, clientKind)
                : new DevicePoll(false, interval, new TokenFailure(TokenFailureKind.Failed, "The sign-in worked but the identity provider issued no refresh token (offline_access was not granted)."), null);
        var error = body.TryGetProperty("error", out var e) ? e.GetString() : null;
        return error switch
        {
            "authorization_pending" => new DevicePoll(true, interval, null, null),
            "slow_down" => new DevicePoll(true, interval + 5, null, null), // RFC 8628 §3.5: add five seconds
            _ => new DevicePoll(false, interval, FailureOf(body, (int)response.StatusCode), null),
        };
    }

    private static TokenFailure FailureOf(JsonElement body, int status)
    {
        var error = body.TryGetProperty("error", out var e) ? e.GetString() : null;
        var description = body.TryGetProperty("error_description", out var d) ? d.GetString() : null;
        return error switch
        {
            "expired_token" or "code_expired" => new TokenFailure(TokenFailureKind.Failed, "The device code expired before anyone signed in; start again.", Error: error),
            "authorization_declined" => new TokenFailure(TokenFailureKind.Failed, "The person who entered the code declined the sign-in.", Error: error),
            _ => TokenFailureClassifier.FromError(error ?? "http_" + status, description, status),
        };
    }

    private static async Task<JsonElement> ReadAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var bytes = await (await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false))
            .ReadCappedAsync(MaxAnswerBytes, cancellationToken).ConfigureAwait(false);
        if (bytes is null) throw new DeviceAuthorizationException(new TokenFailure(TokenFailureKind.Failed, $"The identity provider's answer is larger than {MaxAnswerBytes} bytes."));
        try
        {
            using var document = JsonDocument.Parse(bytes);
            return document.RootElement.Clone();
        }
        catch (JsonException)
        {
            throw new DeviceAuthorizationException(new TokenFailure((int)response.StatusCode >= 500 ? TokenFailureKind.Transient : TokenFailureKind.Failed,
                $"The identity provider answered {(int)response.StatusCode} without JSON."));
        }
    }
}

/// <summary>The identity provider refused or garbled a device authorization step; <see cref="Failure"/> says why in words.</summary>
public sealed class DeviceAuthorizationException(TokenFailure failure) : Exception(failure.Reason)
{
    public TokenFailure Failure { get; } = failure;
}
