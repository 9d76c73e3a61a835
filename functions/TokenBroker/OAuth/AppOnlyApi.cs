using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http;
using TokenBroker.Hosting;
using Microsoft.Extensions.Options;
using TokenBroker.Callers;

namespace TokenBroker.OAuth;

/// <summary>POST mailboxes/app-only {mailbox, tenant, protocols}: connects a mailbox with client credentials.</summary>
public static class AppOnlyApi
{
    public sealed record AppOnlyRequest(
        [property: JsonPropertyName("mailbox")] string? Mailbox,
        [property: JsonPropertyName("tenant")] string? Tenant,
        [property: JsonPropertyName("protocols")] string? Protocols);

    public sealed record AppOnlyResponse(
        [property: JsonPropertyName("mailbox")] string Mailbox,
        [property: JsonPropertyName("tenant")] string Tenant,
        [property: JsonPropertyName("state")] string State,
        [property: JsonPropertyName("roles")] IReadOnlyList<string> Roles,
        [property: JsonPropertyName("exchange_powershell")] string ExchangePowerShell);

    /// <summary>A registration body is three short fields; anything longer is not one.</summary>
    private const int MaxBodyBytes = 16 * 1024;

    public static async Task<IResult> RegisterAsync(
        HttpContext context,
        AppOnlyRegistration registration,
        CallerAccess access,
        IOptions<OAuthOptions> options,
        CancellationToken cancellationToken)
    {
        var (caller, refusal) = await access.AuthenticateAsync(context, cancellationToken);
        if (refusal is not null) return refusal;
        if (JsonRequests.RequireJson(context.Request) is { } notJson) return notJson;
        if (!OAuthSettings.TryGet(options, out var o, out var failures))
            return OAuthSettings.NotConfiguredProblem(failures);
        var request = await JsonRequests.ReadAsync<AppOnlyRequest>(context.Request, MaxBodyBytes, cancellationToken);
        if (request is null) return JsonRequests.BadRequest("The body must be JSON: {\"mailbox\": \"user@contoso.com\", \"tenant\": \"<tenant id>\", \"protocols\": \"imap,smtp\"}.");
        if (!AddressInput.TryNormalize(request.Mailbox, out var mailbox, out var addressError)) return JsonRequests.BadRequest(addressError);
        if (CallerAccess.Authorize(caller!, CallerOperations.Admin, mailbox) is { } forbidden) return forbidden;
        if (!MailScopes.TryParseProtocols(request.Protocols, out var protocols, out var protocolError)) return JsonRequests.BadRequest(protocolError!);
        var tenant = string.IsNullOrWhiteSpace(request.Tenant) ? o.TenantId : request.Tenant.Trim();
        if (string.IsNullOrWhiteSpace(tenant) || !ConsentApi.IsTenantName(tenant))
            return JsonRequests.BadRequest("No valid tenant given: add \"tenant\" to the body or set OAuth:TenantId.");

        try
        {
            var result = await registration.RegisterAsync(mailbox, tenant, protocols, cancellationToken);
            return TypedResults.Json(new AppOnlyResponse(result.Mailbox.Address, result.Mailbox.TenantId, result.Mailbox.State.ToString(), result.Roles, result.ExchangePowerShell));
        }
        catch (AppOnlyRegistrationException exception)
        {
            return TypedResults.Problem(detail: exception.Message, statusCode: exception.StatusCode, title: "App-only registration refused",
                extensions: new Dictionary<string, object?> { ["missing_roles"] = exception.MissingRoles });
        }
    }
}
