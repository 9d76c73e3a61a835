using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace TokenBroker.OAuth;

/// <summary>
/// The consent endpoints, called by their functions:
/// GET consent/start (administrators), GET consent/admin (administrators), GET consent/callback (anonymous: the redirect URI).
/// </summary>
public static class ConsentApi
{
    public static async Task<IResult> StartAsync(
        HttpContext context,
        string? mailbox,
        string? protocols,
        string? delegateAddress,
        string? tenant,
        ConsentStart consentStart,
        IOptions<OAuthOptions> options,
        CancellationToken cancellationToken)
    {
        try
        {
            return await StartCheckedAsync(context, mailbox, protocols, delegateAddress, tenant, consentStart, options.Value, cancellationToken);
        }
        catch (OptionsValidationException exception)
        {
            return ConsentPage.Render(500, OAuthSettings.NotConfiguredTitle, [.. exception.Failures]);
        }
    }

    private static async Task<IResult> StartCheckedAsync(HttpContext context, string? mailbox, string? protocols, string? delegateAddress,
        string? tenant, ConsentStart consentStart, OAuthOptions options, CancellationToken cancellationToken)
    {
        if (AdminAccess.CheckAdministration(context, options) is { } refusal) return refusal;

        if (!AddressInput.TryNormalize(mailbox, out var address, out var addressError))
            return ConsentPage.Render(400, "Cannot start the consent", addressError, "Call /api/consent/start?mailbox=user@contoso.com&protocols=imap,smtp.");
        if (!MailScopes.TryParseProtocols(protocols, out var chosen, out var protocolError))
            return ConsentPage.Render(400, "Cannot start the consent", protocolError!);
        string? delegateNormalized = null;
        if (!string.IsNullOrWhiteSpace(delegateAddress) && !AddressInput.TryNormalize(delegateAddress, out delegateNormalized, out var delegateError))
            return ConsentPage.Render(400, "Cannot start the consent", "delegate: " + delegateError);
        if (AddressInput.SameAddress(delegateNormalized, address)) delegateNormalized = null;
        var tenantId = string.IsNullOrWhiteSpace(tenant) ? options.TenantId : tenant.Trim();
        if (string.IsNullOrWhiteSpace(tenantId) || !IsTenantName(tenantId))
            return ConsentPage.Render(400, "Cannot start the consent",
                string.IsNullOrWhiteSpace(tenantId) ? "No tenant given: add &tenant=<tenant id or domain> or set OAuth:TenantId." : $"'{tenantId}' is not a tenant id or domain.");

        try
        {
            var authorizeUrl = await consentStart.StartAsync(new ConsentRequest(address, chosen, delegateNormalized, tenantId), cancellationToken);
            return TypedResults.Redirect(authorizeUrl.AbsoluteUri);
        }
        catch (ConsentRequestException exception)
        {
            return ConsentPage.Render(409, "Cannot start the consent", exception.Message);
        }
    }

    /// <summary>302 to the tenant's admin-consent page for the broker's Exchange Online permissions.</summary>
    public static IResult AdminConsent(HttpContext context, string? tenant, IOptions<OAuthOptions> options)
    {
        if (!OAuthSettings.TryGet(options, out var o, out var failures))
            return ConsentPage.Render(500, OAuthSettings.NotConfiguredTitle, [.. failures]);
        if (AdminAccess.CheckAdministration(context, o) is { } refusal) return refusal;
        var tenantId = string.IsNullOrWhiteSpace(tenant) ? o.TenantId : tenant.Trim();
        if (string.IsNullOrWhiteSpace(tenantId) || !IsTenantName(tenantId))
            return ConsentPage.Render(400, "Cannot start the admin consent", "No valid tenant given: add ?tenant=<tenant id or domain> or set OAuth:TenantId.");
        var url = $"{o.AuthorityFor(tenantId)}/v2.0/adminconsent?client_id={Uri.EscapeDataString(o.ClientId!)}" +
                  $"&scope={Uri.EscapeDataString(MailScopes.AppOnlyScope)}&redirect_uri={Uri.EscapeDataString(o.EffectiveRedirectUri)}";
        return TypedResults.Redirect(url);
    }

    public static async Task<IResult> CallbackAsync(
        string? code,
        string? state,
        string? error,
        string? errorDescription,
        string? adminConsent,
        string? tenant,
        ConsentCallback callback,
        CancellationToken cancellationToken)
    {
        try
        {
            var outcome = await callback.CompleteAsync(new ConsentCallbackQuery(code, state, error, errorDescription, adminConsent, tenant), cancellationToken);
            return ConsentPage.Render(outcome.StatusCode, outcome.Title, [.. outcome.Paragraphs]);
        }
        catch (OptionsValidationException exception)
        {
            return ConsentPage.Render(500, OAuthSettings.NotConfiguredTitle, [.. exception.Failures]);
        }
    }

    /// <summary>A GUID or a domain name; anything else would alter the authority path.</summary>
    internal static bool IsTenantName(string tenant) =>
        tenant.Length <= 253 && tenant.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '.');
}
