using System.Security.Cryptography.X509Certificates;
using Azure.Core;
using Azure.Identity;
using Azure.Security.KeyVault.Secrets;
using Microsoft.Extensions.Options;

namespace TokenBroker.OAuth;

/// <summary>Opens the vault holding the broker's certificate; registered only to reach a vault differently (tests: a local double).</summary>
public delegate SecretClient CertificateVaultClientFactory(Uri vaultUri);

/// <summary>The broker's client credential: a secret, a PFX file, or a certificate kept in Key Vault.</summary>
public sealed class ClientCredentialLoader(
    IOptions<OAuthOptions> options,
    TokenCredential? azureCredential = null,
    CertificateVaultClientFactory? vaultClientFactory = null)
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private X509Certificate2? _certificate;

    /// <summary>Null when the broker uses a client secret.</summary>
    public async Task<X509Certificate2?> GetCertificateAsync(CancellationToken cancellationToken = default)
    {
        var o = options.Value;
        if (!string.IsNullOrEmpty(o.ClientSecret)) return null;
        if (_certificate is not null) return _certificate;

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return _certificate ??= !string.IsNullOrWhiteSpace(o.CertificatePath)
                ? LoadFromFile(o.CertificatePath!, o.CertificatePassword)
                : await LoadFromKeyVaultAsync(o, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    private static X509Certificate2 LoadFromFile(string path, string? password)
    {
        var certificate = X509CertificateLoader.LoadPkcs12FromFile(path, password, X509KeyStorageFlags.EphemeralKeySet);
        return certificate.HasPrivateKey
            ? certificate
            : throw new InvalidOperationException($"OAuth:CertificatePath '{path}' holds no private key: export the certificate as PFX with its key.");
    }

    private async Task<X509Certificate2> LoadFromKeyVaultAsync(OAuthOptions o, CancellationToken cancellationToken)
    {
        // A Key Vault certificate's private part is readable as a secret of the same name (PKCS#12, base64).
        var vaultUri = new Uri(o.CertificateKeyVaultUri!);
        var client = vaultClientFactory?.Invoke(vaultUri) ?? new SecretClient(vaultUri, azureCredential ?? new DefaultAzureCredential());
        KeyVaultSecret secret = await client.GetSecretAsync(o.CertificateKeyVaultSecretName, cancellationToken: cancellationToken).ConfigureAwait(false);
        var certificate = X509CertificateLoader.LoadPkcs12(Convert.FromBase64String(secret.Value), password: null, X509KeyStorageFlags.EphemeralKeySet);
        return certificate.HasPrivateKey
            ? certificate
            : throw new InvalidOperationException($"Key Vault secret OAuth:CertificateKeyVaultSecretName '{o.CertificateKeyVaultSecretName}' holds no private key: store the certificate with an exportable key.");
    }
}
