using Microsoft.Extensions.Options;
using Microsoft.Identity.Client;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.IdentityModel.Tokens;
using TokenBroker.OAuth;

namespace TokenBroker.Callers;

/// <summary>
/// Checks an Entra ID access token a calling app presents (signature against the tenant's published keys, issuer,
/// audience, lifetime) and returns the object id of the app or managed identity it was issued to.
/// </summary>
public sealed class EntraBearerValidator
{
    private readonly EntraCallerOptions _options;
    private readonly Lazy<(ConfigurationManager<OpenIdConnectConfiguration> Metadata, string Tenant)> _metadata;
    private readonly JsonWebTokenHandler _handler = new();

    public EntraBearerValidator(IOptions<EntraCallerOptions> options, IOptions<OAuthOptions> oauth, IMsalHttpClientFactory http)
    {
        _options = options.Value;
        _metadata = new(() =>
        {
            var tenant = _options.EntraTenantId ?? oauth.Value.TenantId
                ?? throw new InvalidOperationException("Set Callers:EntraTenantId (or OAuth:TenantId): Entra bearer callers need their tenant.");
            var address = $"{oauth.Value.AuthorityHost.TrimEnd('/')}/{Uri.EscapeDataString(tenant)}/v2.0/.well-known/openid-configuration";
            var retriever = new HttpDocumentRetriever(http.GetHttpClient()) { RequireHttps = true };
            return (new ConfigurationManager<OpenIdConnectConfiguration>(address, new OpenIdConnectConfigurationRetriever(), retriever), tenant);
        });
    }

    public bool IsEnabled => !string.IsNullOrWhiteSpace(_options.EntraAudience);

    /// <summary>True for what could be a JWT; secrets of the broker's own format never are.</summary>
    public static bool LooksLikeJwt(string bearer) => bearer.Length < 16_384 && bearer.Count(c => c == '.') == 2 && bearer.StartsWith("eyJ", StringComparison.Ordinal);

    /// <summary>The token's "oid" when it is valid for this broker; otherwise null.</summary>
    public async Task<string?> ObjectIdOfAsync(string token, CancellationToken cancellationToken)
    {
        var (metadata, tenant) = _metadata.Value;
        var configuration = await metadata.GetConfigurationAsync(cancellationToken).ConfigureAwait(false);
        var result = await _handler.ValidateTokenAsync(token, new TokenValidationParameters
        {
            ValidAudience = _options.EntraAudience,
            // v2.0 tokens carry the metadata's issuer; apps whose manifest keeps v1 tokens get the sts.windows.net one.
            ValidIssuers = [configuration.Issuer.Replace("{tenantid}", tenant, StringComparison.Ordinal), $"https://sts.windows.net/{tenant}/"],
            IssuerSigningKeys = configuration.SigningKeys,
            ValidateLifetime = true,
            ClockSkew = TimeSpan.FromMinutes(2),
        }).ConfigureAwait(false);
        return result.IsValid && result.Claims.TryGetValue("oid", out var oid) && oid is string objectId && objectId.Length > 0 ? objectId : null;
    }
}
