using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using TokenBroker.Callers;
using TokenBroker.Hosting;
using TokenBroker.OAuth.DeviceCode;

namespace TokenBroker.OAuth;

/// <summary>
/// POST consent/device {mailbox, protocols, delegate?, tenant?, replaceAccount?}: starts a device-code consent run by
/// the broker (callers with "admin" on the mailbox) and answers the verification address, the code and a handle;
/// POST consent/device/poll {handle}: 202 while nobody signed in yet, then the consent's outcome (200, or the refusal
/// with the callback's words). What `tokenbroker consent MAILBOX --device-code --url …` uses.
/// </summary>
public static class DeviceConsentApi
{
    public const string StartRoute = "consent/device";
    public const string PollRoute = "consent/device/poll";
    private const int MaxBodyBytes = 16 * 1024;

    public sealed record StartRequest(
        [property: JsonPropertyName("mailbox")] string? Mailbox,
        [property: JsonPropertyName("protocols")] string? Protocols,
        [property: JsonPropertyName("delegate")] string? Delegate,
        [property: JsonPropertyName("tenant")] string? Tenant,
        [property: JsonPropertyName("replaceAccount")] bool ReplaceAccount = false);

    public sealed record StartResponse(
        [property: JsonPropertyName("mailbox")] string Mailbox,
        [property: JsonPropertyName("verificationUrl")] string VerificationUrl,
        [property: JsonPropertyName("userCode")] string UserCode,
        [property: JsonPropertyName("expiresAt")] DateTimeOffset ExpiresAt,
        [property: JsonPropertyName("message")] string Message,
        [property: JsonPropertyName("interval")] int Interval,
        [property: JsonPropertyName("handle")] string Handle);

    public sealed record PollRequest([property: JsonPropertyName("handle")] string? Handle);

    public sealed record PollResponse(
        [property: JsonPropertyName("status")] string Status,
        [property: JsonPropertyName("interval")] int Interval,
        [property: JsonPropertyName("title")] string? Title,
        [property: JsonPropertyName("detail")] IReadOnlyList<string>? Detail);

    public static async Task<IResult> StartAsync(HttpContext context, RemoteDeviceConsent consent, CallerAccess access, IOptions<OAuthOptions> options, CancellationToken cancellationToken)
    {
        var (caller, refusal) = await access.AuthenticateAsync(context, cancellationToken);
        if (refusal is not null) return refusal;
        if (JsonRequests.RequireJson(context.Request) is { } notJson) return notJson;
        if (!OAuthSettings.TryGet(options, out var o, out var failures)) return OAuthSettings.NotConfiguredProblem(failures);
        var request = await JsonRequests.ReadAsync<StartRequest>(context.Request, MaxBodyBytes, cancellationToken);
        if (request is null) return JsonRequests.BadRequest("The body must be JSON: {\"mailbox\": \"user@contoso.com\", \"protocols\": \"imap,smtp\"}.");
        if (!AddressInput.TryNormalize(request.Mailbox, out var mailbox, out var addressError)) return JsonRequests.BadRequest(addressError);
        if (CallerAccess.Authorize(caller!, CallerOperations.Admin, mailbox) is { } forbidden) return forbidden;
        string? delegated = null;
        if (request.Delegate is { Length: > 0 } given && !AddressInput.TryNormalize(given, out delegated, out var delegateError))
            return JsonRequests.BadRequest("delegate: " + delegateError);
        if (!MailScopes.TryParseProtocols(request.Protocols, out var protocols, out var protocolError)) return JsonRequests.BadRequest(protocolError!);
        var tenant = string.IsNullOrWhiteSpace(request.Tenant) ? o!.TenantId : request.Tenant.Trim();
        if (string.IsNullOrWhiteSpace(tenant) || !ConsentApi.IsTenantName(tenant))
            return JsonRequests.BadRequest("No valid tenant given: add \"tenant\" to the body or set OAuth:TenantId.");

        context.Response.Headers.CacheControl = "no-store";
        try
        {
            var started = await consent.StartAsync(new ConsentTarget(mailbox, delegated, protocols, request.ReplaceAccount), tenant, cancellationToken);
            return TypedResults.Json(new StartResponse(mailbox, started.Prompt.VerificationUrl, started.Prompt.UserCode, started.Prompt.ExpiresAt,
                started.Prompt.Message, started.Interval, started.Handle));
        }
        catch (DeviceAuthorizationException exception)
        {
            return TypedResults.Problem(detail: exception.Failure.Reason, statusCode: exception.Failure.IsTransient ? 503 : 502, title: "The identity provider refused to start a device code sign-in");
        }
        catch (Exception exception) when (IdentityProviderUnreachable.Matches(exception, cancellationToken))
        {
            var (title, paragraphs) = IdentityProviderUnreachable.Explain(exception);
            return TypedResults.Problem(detail: string.Join(" ", paragraphs), statusCode: StatusCodes.Status503ServiceUnavailable, title: title);
        }
    }

    public static async Task<IResult> PollAsync(HttpContext context, RemoteDeviceConsent consent, CallerAccess access, IOptions<OAuthOptions> options, CancellationToken cancellationToken)
    {
        var (caller, refusal) = await access.AuthenticateAsync(context, cancellationToken);
        if (refusal is not null) return refusal;
        if (JsonRequests.RequireJson(context.Request) is { } notJson) return notJson;
        if (!OAuthSettings.TryGet(options, out _, out var failures)) return OAuthSettings.NotConfiguredProblem(failures);
        var request = await JsonRequests.ReadAsync<PollRequest>(context.Request, MaxBodyBytes, cancellationToken);
        var payload = await consent.OpenAsync(request?.Handle, cancellationToken);
        if (payload is null) return JsonRequests.BadRequest("The handle is not one this broker issued (damaged, or from another broker): start the device code consent again.");
        if (CallerAccess.Authorize(caller!, CallerOperations.Admin, payload.Mailbox) is { } forbidden) return forbidden;

        context.Response.Headers.CacheControl = "no-store";
        DeviceConsentPolled polled;
        try
        {
            polled = await consent.PollAsync(payload, cancellationToken);
        }
        catch (DeviceAuthorizationException exception)
        {
            return TypedResults.Problem(detail: exception.Failure.Reason, statusCode: exception.Failure.IsTransient ? 503 : 502, title: "The identity provider's answer could not be used");
        }
        catch (Exception exception) when (IdentityProviderUnreachable.Matches(exception, cancellationToken))
        {
            var (title, paragraphs) = IdentityProviderUnreachable.Explain(exception);
            return TypedResults.Problem(detail: string.Join(" ", paragraphs), statusCode: StatusCodes.Status503ServiceUnavailable, title: title);
        }
        if (polled.Pending)
            return TypedResults.Json(new PollResponse("pending", polled.Interval, null, null), statusCode: StatusCodes.Status202Accepted);
        var outcome = polled.Outcome!;
        return TypedResults.Json(new PollResponse(outcome.Succeeded ? "connected" : "refused", polled.Interval, outcome.Title, outcome.Paragraphs),
            statusCode: outcome.StatusCode);
    }
}
