using Microsoft.Extensions.Options;

namespace TokenBroker.OAuth;

/// <summary>Each failure is one sentence naming the setting, because that is what an operator fixes.</summary>
internal sealed class OAuthOptionsValidator : IValidateOptions<OAuthOptions>
{
    public ValidateOptionsResult Validate(string? name, OAuthOptions options)
    {
        var failures = new List<string>();
        const string s = OAuthOptions.SectionName;

        if (!Uri.TryCreate(options.AuthorityHost, UriKind.Absolute, out var authority) || authority.Scheme != Uri.UriSchemeHttps)
            failures.Add($"{s}:AuthorityHost must be an absolute https address such as https://login.microsoftonline.com (MSAL refuses anything else), not '{options.AuthorityHost}'.");

        if (string.IsNullOrWhiteSpace(options.ClientId))
            failures.Add($"{s}:ClientId is missing: set it to the application (client) id of the broker's app registration.");

        var credentials = new[]
        {
            !string.IsNullOrEmpty(options.ClientSecret),
            !string.IsNullOrWhiteSpace(options.CertificatePath),
            !string.IsNullOrWhiteSpace(options.CertificateKeyVaultSecretName),
        }.Count(set => set);
        if (credentials == 0)
            failures.Add($"{s}: no client credential is set: set exactly one of {s}:ClientSecret, {s}:CertificatePath or {s}:CertificateKeyVaultSecretName.");
        else if (credentials > 1)
            failures.Add($"{s}: more than one client credential is set: keep exactly one of {s}:ClientSecret, {s}:CertificatePath or {s}:CertificateKeyVaultSecretName.");

        if (!string.IsNullOrWhiteSpace(options.CertificatePath) && !File.Exists(options.CertificatePath))
            failures.Add($"{s}:CertificatePath points to '{options.CertificatePath}', which does not exist.");

        if (!string.IsNullOrWhiteSpace(options.CertificateKeyVaultSecretName)
            && !(Uri.TryCreate(options.CertificateKeyVaultUri, UriKind.Absolute, out var vault) && vault.Scheme == Uri.UriSchemeHttps))
            failures.Add($"{s}:CertificateKeyVaultUri must be the https address of the vault holding {s}:CertificateKeyVaultSecretName.");

        if (string.IsNullOrWhiteSpace(options.RedirectUri) && string.IsNullOrWhiteSpace(options.PublicBaseUrl))
            failures.Add($"{s}:RedirectUri (or {s}:PublicBaseUrl) is missing: the identity provider needs the consent callback address.");
        else if (!IsAcceptableRedirect(options.RedirectUri ?? options.PublicBaseUrl!))
            failures.Add($"{(string.IsNullOrWhiteSpace(options.RedirectUri) ? s + ":PublicBaseUrl" : s + ":RedirectUri")} must be an absolute https address (http only for localhost), not '{options.RedirectUri ?? options.PublicBaseUrl}'.");

        if (!string.IsNullOrWhiteSpace(options.TrustedCaFile) && !File.Exists(options.TrustedCaFile))
            failures.Add($"{s}:TrustedCaFile points to '{options.TrustedCaFile}', which does not exist (it must be a PEM file of CA certificates).");

        if (options.StateLifetime <= TimeSpan.Zero || options.StateLifetime > TimeSpan.FromHours(1))
            failures.Add($"{s}:StateLifetime must be between 00:00:01 and 01:00:00, not {options.StateLifetime}.");

        if (options.HttpTimeout <= TimeSpan.Zero)
            failures.Add($"{s}:HttpTimeout must be positive, not {options.HttpTimeout}.");

        if (!string.IsNullOrEmpty(options.AdminKey))
            failures.Add($"{s}:AdminKey is no longer read: the broker has one master key, Broker:AdminKey; better, give each app its own client (`tokenbroker clients add`).");

        if (options.InvitationLifetime <= TimeSpan.Zero || options.InvitationLifetime > options.MaxInvitationLifetime)
            failures.Add($"{s}:InvitationLifetime must be positive and at most {s}:MaxInvitationLifetime ({options.MaxInvitationLifetime}), not {options.InvitationLifetime}.");

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static bool IsAcceptableRedirect(string value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri)
        && (uri.Scheme == Uri.UriSchemeHttps || (uri.Scheme == Uri.UriSchemeHttp && uri.IsLoopback));
}
