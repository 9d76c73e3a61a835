using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace TokenBroker.Mail.Net;

/// <summary>
/// Server certificate validation: the platform's verdict (system roots, host name) first, then — only for
/// chain errors — a second chain built with <see cref="X509ChainTrustMode.CustomRootTrust"/> over the extra
/// roots. A name mismatch is never forgiven. Revocation is not checked for the extra roots: a private or
/// test CA publishes no CRL, and the system chain keeps the platform's revocation policy.
/// </summary>
internal sealed class CertificateTrust(MailClientOptions options)
{
    /// <summary>Why the last certificate was refused, for the exception message.</summary>
    public string? LastFailure { get; private set; }

    private static readonly System.Security.Cryptography.Oid ServerAuthentication = new("1.3.6.1.5.5.7.3.1");

    public bool Validate(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        if (certificate is null)
        {
            LastFailure = "the server sent no certificate";
            return false;
        }
        if ((errors & SslPolicyErrors.RemoteCertificateNameMismatch) != 0)
        {
            LastFailure = $"the certificate's names do not match the host ({certificate.Subject})";
            return false;
        }
        if (errors == SslPolicyErrors.None && options.TrustSystemRoots)
            return true;

        var extraRoots = options.ExtraTrustedRoots;
        if (extraRoots is null || extraRoots.Count == 0)
        {
            LastFailure = $"the certificate ({certificate.Subject}) does not chain to a trusted root: {Describe(chain)}";
            return false;
        }

        using var custom = new X509Chain();
        custom.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        custom.ChainPolicy.CustomTrustStore.AddRange(extraRoots);
        custom.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        // The system chain checks the server-auth usage itself; the custom one must ask for it.
        custom.ChainPolicy.ApplicationPolicy.Add(ServerAuthentication);
        if (chain is not null)
        {
            foreach (var element in chain.ChainElements)
                custom.ChainPolicy.ExtraStore.Add(element.Certificate);
        }
        var leaf = certificate as X509Certificate2 ?? new X509Certificate2(certificate);
        if (custom.Build(leaf))
            return true;
        LastFailure = LacksServerAuthentication(leaf)
            ? $"the certificate ({certificate.Subject}) is not for server authentication: its extended key usage does not include serverAuth ({ServerAuthentication.Value})"
            : $"the certificate ({certificate.Subject}) does not chain to a trusted root or to the extra trusted CA: {Describe(custom)}";
        return false;
    }

    /// <summary>An extended key usage extension without serverAuth (none at all means any usage, RFC 5280 §4.2.1.12).</summary>
    private static bool LacksServerAuthentication(X509Certificate2 leaf) =>
        leaf.Extensions.OfType<X509EnhancedKeyUsageExtension>().FirstOrDefault() is { } usage
        && !usage.EnhancedKeyUsages.Cast<System.Security.Cryptography.Oid>().Any(oid => oid.Value == ServerAuthentication.Value);

    private static string Describe(X509Chain? chain) =>
        chain is null || chain.ChainStatus.Length == 0
            ? "no chain"
            : string.Join("; ", chain.ChainStatus.Select(s => s.StatusInformation.Trim()).Distinct());
}
