namespace TokenBroker.OAuth;

/// <summary>
/// The broker's app registration in Entra ID and how its front door behaves. Bound from the "OAuth"
/// configuration section; every default lives here.
/// </summary>
public sealed class OAuthOptions
{
    public const string SectionName = "OAuth";
    public const string PublicCloudAuthorityHost = "https://login.microsoftonline.com";
    public const string CallbackPath = "/api/consent/callback";

    /// <summary>Scheme and host of the identity provider; a tenant id is appended per mailbox.</summary>
    public string AuthorityHost { get; set; } = PublicCloudAuthorityHost;

    /// <summary>The tenant used when a request names none.</summary>
    public string? TenantId { get; set; }

    /// <summary>The application (client) id of the broker's app registration.</summary>
    public string? ClientId { get; set; }

    /// <summary>The registered redirect URI; when empty it is <see cref="PublicBaseUrl"/> + /api/consent/callback.</summary>
    public string? RedirectUri { get; set; }

    /// <summary>Where browsers reach the broker, e.g. https://tokenbroker.azurewebsites.net.</summary>
    public string? PublicBaseUrl { get; set; }

    public string? ClientSecret { get; set; }

    /// <summary>A PFX/PKCS#12 file holding the client certificate and its private key.</summary>
    public string? CertificatePath { get; set; }

    public string? CertificatePassword { get; set; }

    /// <summary>The Key Vault secret (a Key Vault certificate's secret, PKCS#12 base64) holding the client certificate.</summary>
    public string? CertificateKeyVaultSecretName { get; set; }

    /// <summary>The vault holding <see cref="CertificateKeyVaultSecretName"/>, e.g. https://myvault.vault.azure.net/.</summary>
    public string? CertificateKeyVaultUri { get; set; }

    /// <summary>How long a consent link stays usable.</summary>
    public TimeSpan StateLifetime { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>How long a consent invitation stays usable unless the admin asks for another lifetime.</summary>
    public TimeSpan InvitationLifetime { get; set; } = TimeSpan.FromDays(7);

    /// <summary>The longest lifetime an admin may give an invitation.</summary>
    public TimeSpan MaxInvitationLifetime { get; set; } = TimeSpan.FromDays(30);

    /// <summary>No longer read: the broker has one master key, Broker:AdminKey. Bound only to say so at start.</summary>
    public string? AdminKey { get; set; }

    /// <summary>
    /// A PEM file of CA certificates trusted for the identity provider's TLS besides the system roots (a private CA in
    /// front of a sovereign or test authority). Host names and the server-authentication usage are still checked.
    /// </summary>
    public string? TrustedCaFile { get; set; }

    /// <summary>Timeout of every call to the identity provider.</summary>
    public TimeSpan HttpTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Forward MSAL's own log lines (never with personal data) to the broker's logger.</summary>
    public bool EnableMsalLogging { get; set; } = true;

    internal bool IsPublicCloud =>
        Uri.TryCreate(AuthorityHost, UriKind.Absolute, out var host)
        && host.Host.Equals(new Uri(PublicCloudAuthorityHost).Host, StringComparison.OrdinalIgnoreCase);

    internal string AuthorityFor(string tenantId) => AuthorityHost.TrimEnd('/') + "/" + Uri.EscapeDataString(tenantId);

    internal string EffectiveRedirectUri =>
        !string.IsNullOrWhiteSpace(RedirectUri) ? RedirectUri!
        : !string.IsNullOrWhiteSpace(PublicBaseUrl) ? PublicBaseUrl!.TrimEnd('/') + CallbackPath
        : throw new InvalidOperationException("Set OAuth:RedirectUri or OAuth:PublicBaseUrl: the consent callback address is unknown.");
}
