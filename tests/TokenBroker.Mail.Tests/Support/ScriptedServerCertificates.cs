using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace TokenBroker.Mail.Tests.Support;

/// <summary>A throw-away CA and a "localhost"/127.0.0.1 server certificate it signed, made once per test run.
/// Clients trust the CA through MailClientOptions.ExtraTrustedRoots — validation stays on.</summary>
public static class ScriptedServerCertificates
{
    private static readonly Lazy<(X509Certificate2 Ca, X509Certificate2 Server, X509Certificate2 OtherCa, X509Certificate2 OtherName, X509Certificate2 ClientOnly)> Made = new(Make);

    private static readonly Oid ServerAuthentication = new("1.3.6.1.5.5.7.3.1");
    private static readonly Oid ClientAuthentication = new("1.3.6.1.5.5.7.3.2");

    public static X509Certificate2 CertificateAuthority => Made.Value.Ca;

    /// <summary>A second CA that signed nothing the servers use: trusting it alone must not be enough.</summary>
    public static X509Certificate2 UnrelatedCertificateAuthority => Made.Value.OtherCa;

    public static X509Certificate2 Server => Made.Value.Server;

    /// <summary>Signed by the test CA but for "mail.other.example": a client connecting to localhost must refuse it.</summary>
    public static X509Certificate2 ServerForAnotherName => Made.Value.OtherName;

    /// <summary>Signed by the test CA for localhost, but its extended key usage is client authentication only: not a server's.</summary>
    public static X509Certificate2 ServerWithoutServerAuthUsage => Made.Value.ClientOnly;

    public static X509Certificate2Collection TrustedRoots => [CertificateAuthority];

    private static (X509Certificate2, X509Certificate2, X509Certificate2, X509Certificate2, X509Certificate2) Make()
    {
        var now = DateTimeOffset.UtcNow;
        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var caRequest = new CertificateRequest("CN=TokenBroker Test CA", caKey, HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        caRequest.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(caRequest.PublicKey, false));
        using var ca = caRequest.CreateSelfSigned(now.AddDays(-1), now.AddDays(30));

        var server = Issue(ca, "localhost", withLoopbackAddress: true, ServerAuthentication, serial: 1, now);
        var otherName = Issue(ca, "mail.other.example", withLoopbackAddress: false, ServerAuthentication, serial: 2, now);
        var clientOnly = Issue(ca, "localhost", withLoopbackAddress: true, ClientAuthentication, serial: 3, now);

        using var otherKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var otherRequest = new CertificateRequest("CN=Unrelated Test CA", otherKey, HashAlgorithmName.SHA256);
        otherRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        using var other = otherRequest.CreateSelfSigned(now.AddDays(-1), now.AddDays(30));

        return (X509CertificateLoader.LoadCertificate(ca.RawData), server, X509CertificateLoader.LoadCertificate(other.RawData), otherName, clientOnly);
    }

    private static X509Certificate2 Issue(X509Certificate2 ca, string dnsName, bool withLoopbackAddress, Oid usage, byte serial, DateTimeOffset now)
    {
        using var serverKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var serverRequest = new CertificateRequest("CN=" + dnsName, serverKey, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName(dnsName);
        if (withLoopbackAddress) names.AddIpAddress(IPAddress.Loopback);
        serverRequest.CertificateExtensions.Add(names.Build());
        serverRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        serverRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        serverRequest.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([usage], false));
        using var issued = serverRequest.Create(ca, now.AddDays(-1), now.AddDays(29), [serial, 2, 3, 4, 5, 6, 7, 8]);
        using var withKey = issued.CopyWithPrivateKey(serverKey);
        // SslStream on Linux needs the key in a loadable form: round-trip through PKCS#12.
        return X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null);
    }
}
