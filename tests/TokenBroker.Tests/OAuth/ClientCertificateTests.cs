using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Azure.Security.KeyVault.Secrets;
using Microsoft.Extensions.DependencyInjection;
using TokenBroker.OAuth;
using TokenBroker.Store.KeyVault;
using TokenBroker.Tests.OAuth.Support;
using TokenBroker.Tests.Store.KeyVaultDouble;

namespace TokenBroker.Tests.OAuth;

/// <summary>The broker authenticates with a certificate (a signed client assertion) instead of a secret.</summary>
public sealed class ClientCertificateTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static byte[] NewPfx()
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=TokenBroker test client", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        return certificate.Export(X509ContentType.Pkcs12);
    }

    private static async Task AssertConsentUsesAnAssertionAsync(OAuthTestHost host)
    {
        var mailbox = $"cert-{Guid.NewGuid():N}@{IdentityPeer.TenantDomain}";
        var (status, page) = await host.CompleteAsync(await host.SignInAsync(mailbox));
        Assert.True(status == HttpStatusCode.OK, page);
        Assert.Contains("client_assertion", host.Recorder.PostedFields);
        Assert.DoesNotContain("client_secret", host.Recorder.PostedFields);
    }

    [Fact]
    public async Task A_certificate_file_replaces_the_client_secret()
    {
        var path = Path.Combine(Path.GetTempPath(), $"tokenbroker-client-{Guid.NewGuid():N}.pfx");
        await File.WriteAllBytesAsync(path, NewPfx(), Ct);
        try
        {
            await using var host = await OAuthTestHost.StartAsync(configureServices: services => services.PostConfigure<OAuthOptions>(o =>
            {
                o.ClientSecret = null;
                o.CertificatePath = path;
            }));
            await AssertConsentUsesAnAssertionAsync(host);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task A_certificate_kept_in_key_vault_replaces_the_client_secret()
    {
        await using var vault = await KeyVaultDoubleServer.StartAsync();
        var options = new KeyVaultTokenStoreOptions { VaultUri = vault.VaultUri, MaxRetries = 1, NetworkTimeout = TimeSpan.FromSeconds(10) };
        var secrets = vault.CreateClient(options);
        await secrets.SetSecretAsync(new KeyVaultSecret("broker-client-cert", Convert.ToBase64String(NewPfx())) { Properties = { ContentType = "application/x-pkcs12" } }, Ct);

        await using var host = await OAuthTestHost.StartAsync(configureServices: services =>
        {
            services.AddSingleton<CertificateVaultClientFactory>(uri => vault.CreateClient(options));
            services.PostConfigure<OAuthOptions>(o =>
            {
                o.ClientSecret = null;
                o.CertificateKeyVaultSecretName = "broker-client-cert";
                o.CertificateKeyVaultUri = vault.VaultUri.AbsoluteUri;
            });
        });
        await AssertConsentUsesAnAssertionAsync(host);
    }
}
