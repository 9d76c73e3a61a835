using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using TokenBroker.Callers;
using TokenBroker.Hosting;

namespace TokenBroker.OAuth;

/// <summary>POST consent/invitations {mailbox, protocols, delegate?, tenant?, validForHours?, replaceAccount?} (admin of the mailbox).</summary>
public static class ConsentInvitationApi
{
    public const string Route = "consent/invitations";
    private const int MaxBodyBytes = 16 * 1024;

    public sealed record Request(
        [property: JsonPropertyName("mailbox")] string? Mailbox,
        [property: JsonPropertyName("protocols")] string? Protocols,
        [property: JsonPropertyName("delegate")] string? Delegate,
        [property: JsonPropertyName("tenant")] string? Tenant,
        [property: JsonPropertyName("validForHours")] double? ValidForHours,
        [property: JsonPropertyName("replaceAccount")] bool? ReplaceAccount);

    public sealed record Response(
        [property: JsonPropertyName("mailbox")] string Mailbox,
        [property: JsonPropertyName("url")] string Url,
        [property: JsonPropertyName("expiresAt")] DateTimeOffset ExpiresAt);

    public static async Task<IResult> CreateAsync(HttpContext context, CallerAccess access, ConsentInvitations invitations,
        IOptions<OAuthOptions> options, CancellationToken cancellationToken)
    {
        var (caller, refusal) = await access.AuthenticateAsync(context, cancellationToken);
        if (refusal is not null) return refusal;
        if (JsonRequests.RequireJson(context.Request) is { } notJson) return notJson;
        if (!OAuthSettings.TryGet(options, out var o, out var failures)) return OAuthSettings.NotConfiguredProblem(failures);

        var request = await JsonRequests.ReadAsync<Request>(context.Request, MaxBodyBytes, cancellationToken);
        if (request is null)
            return JsonRequests.BadRequest("The body must be a JSON object such as {\"mailbox\": \"helpdesk@contoso.com\", \"protocols\": \"imap,smtp\"}.");
        if (!AddressInput.TryNormalize(request.Mailbox, out var mailbox, out var addressError)) return JsonRequests.BadRequest(addressError);
        if (CallerAccess.Authorize(caller!, CallerOperations.Admin, mailbox) is { } forbidden) return forbidden;
        if (!MailScopes.TryParseProtocols(request.Protocols, out var protocols, out var protocolError)) return JsonRequests.BadRequest(protocolError!);
        string? delegateAddress = null;
        if (!string.IsNullOrWhiteSpace(request.Delegate) && !AddressInput.TryNormalize(request.Delegate, out delegateAddress, out var delegateError))
            return JsonRequests.BadRequest("delegate: " + delegateError);
        if (AddressInput.SameAddress(delegateAddress, mailbox)) delegateAddress = null;
        var tenant = string.IsNullOrWhiteSpace(request.Tenant) ? o.TenantId : request.Tenant.Trim();
        if (string.IsNullOrWhiteSpace(tenant) || !ConsentApi.IsTenantName(tenant))
            return JsonRequests.BadRequest("No valid tenant given: add \"tenant\" (a tenant id or domain) or set OAuth:TenantId.");
        if (request.ValidForHours is { } hours && (double.IsNaN(hours) || hours < 1.0 / 60 || hours > o.MaxInvitationLifetime.TotalHours))
            return JsonRequests.BadRequest($"validForHours must be between 0.02 and {o.MaxInvitationLifetime.TotalHours:0}.");

        try
        {
            var (url, expiresAt) = await invitations.IssueAsync(new InvitationRequest(mailbox, protocols, delegateAddress, tenant,
                request.ValidForHours is { } h ? TimeSpan.FromHours(h) : null, request.ReplaceAccount ?? false, caller!.Name),
                PublicAddress.BaseUrl(context, o), cancellationToken);
            context.Response.Headers.CacheControl = "no-store";
            return TypedResults.Json(new Response(mailbox, url.AbsoluteUri, expiresAt), statusCode: StatusCodes.Status201Created);
        }
        catch (ConsentInvitationException exception)
        {
            return TypedResults.Problem(title: exception.Title, detail: exception.Message, statusCode: exception.StatusCode);
        }
    }
}
