using System.Net.Http;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace TokenBroker.Testing;

/// <summary>
/// Trust for the peers' TLS: the throw-away CA from infra/local/peers/ca.sh (PEERS_CA_FILE) is the
/// only root accepted (X509ChainTrustMode.CustomRootTrust); host names and chains are still checked.
/// </summary>
public static class TestCertificates
{
    private static readonly Lazy<X509Certificate2> Authority =
        new(() => X509CertificateLoader.LoadCertificateFromFile(PeersEnvironment.Get("PEERS_CA_FILE")));

    /// <summary>The test CA certificate.</summary>
    public static X509Certificate2 CertificateAuthority => Authority.Value;

    /// <summary>A chain policy whose only trust anchor is the test CA.</summary>
    public static X509ChainPolicy CreateChainPolicy()
    {
        var policy = new X509ChainPolicy
        {
            TrustMode = X509ChainTrustMode.CustomRootTrust,
            RevocationMode = X509RevocationMode.NoCheck,
        };
        policy.CustomTrustStore.Add(CertificateAuthority);
        return policy;
    }

    /// <summary>For SslStream: accepts a server certificate only if it names the host and chains to the test CA.</summary>
    public static RemoteCertificateValidationCallback ValidationCallback { get; } =
        (_, certificate, _, errors) => IsTrusted(certificate, errors);

    /// <summary>TLS client options for a peer (host name "localhost" unless told otherwise).</summary>
    public static SslClientAuthenticationOptions CreateSslClientOptions(string targetHost = "localhost") => new()
    {
        TargetHost = targetHost,
        CertificateChainPolicy = CreateChainPolicy(),
    };

    /// <summary>An HttpClientHandler that trusts the test CA (and nothing else) for HTTPS.</summary>
    public static HttpClientHandler CreateHttpClientHandler() => new()
    {
        ServerCertificateCustomValidationCallback = (_, certificate, _, errors) => IsTrusted(certificate, errors),
    };

    private static bool IsTrusted(X509Certificate? certificate, SslPolicyErrors errors)
    {
        if (certificate is null)
            return false;
        // Chain errors are judged below against the test CA; a wrong or missing name never passes.
        if ((errors & ~SslPolicyErrors.RemoteCertificateChainErrors) != SslPolicyErrors.None)
            return false;
        using var chain = new X509Chain { ChainPolicy = CreateChainPolicy() };
        using var server = certificate as X509Certificate2 ?? X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
        return chain.Build(server);
    }
}
