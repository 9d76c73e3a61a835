using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace TokenBroker.OAuth;

/// <summary>
/// The consent endpoints, called by their functions:
/// GET consent/start (anyone with an invitation), GET consent/admin and GET consent/callback (anonymous: Entra's pages and the redirect URI).
/// </summary>
public static class ConsentApi
{
    /// <summary>GET consent/start?invitation=…: anyone holding an invitation may start the sign-in it names.</summary>
    public static async Task<IResult> StartAsync(
        string? invitationText,
        ConsentInvitations invitations,
        ConsentStart consentStart,
        IOptions<OAuthOptions> options,
        CancellationToken cancellationToken)
    {
        try
        {
            if (!OAuthSettings.TryGet(options, out _, out var failures))
                return ConsentPage.Render(500, OAuthSettings.NotConfiguredTitle, [.. failures]);
            var invitation = await invitations.RedeemableAsync(invitationText, cancellationToken);
            var authorizeUrl = await consentStart.StartAsync(ConsentRequest.From(invitation), cancellationToken);
            return TypedResults.Redirect(authorizeUrl.AbsoluteUri);
        }
        catch (ConsentInvitationException exception)
        {
            return ConsentPage.Render(exception.StatusCode, exception.Title, exception.Message);
        }
        catch (ConsentRequestException exception)
        {
            return ConsentPage.Render(409, "Cannot start the consent", exception.Message);
        }
        catch (OptionsValidationException exception)
        {
            return ConsentPage.Render(500, OAuthSettings.NotConfiguredTitle, [.. exception.Failures]);
        }
    }

    /// <summary>302 to the tenant's admin-consent page for the broker's Exchange Online permissions.</summary>
    /// <remarks>Anonymous: the page it leads to is Entra's own, where only a tenant administrator can grant anything.</remarks>
    public static IResult AdminConsent(string? tenant, IOptions<OAuthOptions> options)
    {
        if (!OAuthSettings.TryGet(options, out var o, out var failures))
            return ConsentPage.Render(500, OAuthSettings.NotConfiguredTitle, [.. failures]);
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
