using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using TokenBroker.Callers;
using TokenBroker.Hosting;

namespace TokenBroker.OAuth;

/// <summary>
/// GET mailboxes/{address}/token: a mailbox's current access token, for a caller whose scope grants "token" on it.
/// POST with {"bridgeSecret": "tbc_…"}: the same for a remote mail bridge (its own credential with "token"), which also
/// presents the password an app gave it; the token is handed out only when that secret has "bridge" on the mailbox
/// (else 403 with "bridgeLogin": "refused", which the bridge answers as a wrong password). A mailbox that needs consent
/// then also raises the <c>bridge.login-refused</c> event, which the remote bridge has no queue to raise itself.
/// </summary>
public static class TokenApi
{
    private const int MaxBridgeRequestBytes = 2048;

    /// <param name="Protocol">The protocol the app logged in with (smtp, imap, pop3), for the refusal event.</param>
    public sealed record BridgeLoginRequest(
        [property: JsonPropertyName("bridgeSecret")] string? BridgeSecret,
        [property: JsonPropertyName("protocol")] string? Protocol = null);

    private static readonly string[] BridgeProtocols = ["smtp", "imap", "pop3"];

    public sealed record TokenResponse(
        [property: JsonPropertyName("access_token")] string AccessToken,
        [property: JsonPropertyName("expires_on")] long ExpiresOn,
        [property: JsonPropertyName("user")] string User)
    {
        /// <summary>The bridge client (app) whose secret a POST presented; absent on GET.</summary>
        [JsonPropertyName("app"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
        public string? App { get; init; }
    }

    public static async Task<IResult> GetTokenAsync(
        HttpContext context,
        string address,
        IMailboxTokenProvider tokens,
        CallerAccess access,
        IOptions<OAuthOptions> options,
        BridgeSecretCheck bridgeSecrets,
        TokenBroker.Bridge.BridgeRefusalEvents refusalEvents,
        CancellationToken cancellationToken)
    {
        var (caller, refusal) = await access.AuthenticateAsync(context, cancellationToken);
        if (refusal is not null) return refusal;
        if (!OAuthSettings.TryGet(options, out _, out var failures))
            return OAuthSettings.NotConfiguredProblem(failures);
        if (!AddressInput.TryNormalize(address, out var mailbox, out var addressError))
            return TypedResults.Problem(detail: addressError, statusCode: StatusCodes.Status400BadRequest, title: "Bad mailbox address");
        if (CallerAccess.Authorize(caller!, CallerOperations.Token, mailbox) is { } forbidden) return forbidden;
        string? app = null;
        var protocol = "unknown";
        if (HttpMethods.IsPost(context.Request.Method))
        {
            if (JsonRequests.RequireJson(context.Request) is { } notJson) return notJson;
            var login = await JsonRequests.ReadAsync<BridgeLoginRequest>(context.Request, MaxBridgeRequestBytes, cancellationToken);
            if (login?.BridgeSecret is not { Length: > 0 } secret)
                return JsonRequests.BadRequest("Send {\"bridgeSecret\": \"<the app's bridge secret>\"} (at most 2 KB of JSON).");
            if (login.Protocol is { } named && BridgeProtocols.Contains(named, StringComparer.Ordinal)) protocol = named;
            app = await bridgeSecrets.AppFor(mailbox, secret, cancellationToken);
            if (app is null)
                return TypedResults.Problem(title: "Bridge login refused", statusCode: StatusCodes.Status403Forbidden,
                    detail: $"The secret the app gave is not a client with the bridge operation on {mailbox}.",
                    extensions: new Dictionary<string, object?> { ["bridgeLogin"] = "refused" });
        }

        context.Response.Headers.CacheControl = "no-store";
        try
        {
            var token = await tokens.GetAccessTokenAsync(mailbox, cancellationToken);
            return TypedResults.Json(new TokenResponse(token.AccessToken, token.ExpiresOn.ToUnixTimeSeconds(), token.User) { App = app });
        }
        catch (MailboxTokenUnavailableException exception)
        {
            var (status, title) = exception switch
            {
                { IsUnknownMailbox: true } => (StatusCodes.Status404NotFound, "Unknown mailbox"),
                { Failure.Kind: TokenFailureKind.Transient } => (StatusCodes.Status503ServiceUnavailable, "The identity provider is not answering"),
                { Failure.Kind: TokenFailureKind.NeedsConsent } => (StatusCodes.Status409Conflict, "The mailbox needs consent"),
                { Failure.Kind: TokenFailureKind.BrokenCredential } => (StatusCodes.Status502BadGateway, "The broker's credential is broken"),
                _ => (StatusCodes.Status409Conflict, "No token for this mailbox"),
            };
            if (status == StatusCodes.Status503ServiceUnavailable) context.Response.Headers.RetryAfter = "30";
            // A remote bridge cannot reach broker-events: the refusal of one of its apps is raised here.
            if (app is not null && exception.Failure.Kind == TokenFailureKind.NeedsConsent)
                await refusalEvents.PublishAsync(mailbox, app, protocol, exception.Failure.Reason, cancellationToken);
            var extensions = new Dictionary<string, object?> { ["mailbox"] = exception.MailboxAddress, ["state"] = exception.State?.ToString() };
            if (app is not null) extensions["app"] = app;
            return TypedResults.Problem(detail: exception.Failure.Reason, statusCode: status, title: title, extensions: extensions);
        }
    }
}
