using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using TokenBroker.Callers;

namespace TokenBroker.OAuth;

/// <summary>GET mailboxes/{address}/token: a mailbox's current access token, for a caller whose scope grants "token" on it.</summary>
public static class TokenApi
{
    public sealed record TokenResponse(
        [property: JsonPropertyName("access_token")] string AccessToken,
        [property: JsonPropertyName("expires_on")] long ExpiresOn,
        [property: JsonPropertyName("user")] string User);

    public static async Task<IResult> GetTokenAsync(
        HttpContext context,
        string address,
        IMailboxTokenProvider tokens,
        CallerAccess access,
        IOptions<OAuthOptions> options,
        CancellationToken cancellationToken)
    {
        var (caller, refusal) = await access.AuthenticateAsync(context, cancellationToken);
        if (refusal is not null) return refusal;
        if (!OAuthSettings.TryGet(options, out _, out var failures))
            return OAuthSettings.NotConfiguredProblem(failures);
        if (!AddressInput.TryNormalize(address, out var mailbox, out var addressError))
            return TypedResults.Problem(detail: addressError, statusCode: StatusCodes.Status400BadRequest, title: "Bad mailbox address");
        if (CallerAccess.Authorize(caller!, CallerOperations.Token, mailbox) is { } forbidden) return forbidden;

        context.Response.Headers.CacheControl = "no-store";
        try
        {
            var token = await tokens.GetAccessTokenAsync(mailbox, cancellationToken);
            return TypedResults.Json(new TokenResponse(token.AccessToken, token.ExpiresOn.ToUnixTimeSeconds(), token.User));
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
            return TypedResults.Problem(detail: exception.Failure.Reason, statusCode: status, title: title,
                extensions: new Dictionary<string, object?> { ["mailbox"] = exception.MailboxAddress, ["state"] = exception.State?.ToString() });
        }
    }
}
