using System.Security.Cryptography.X509Certificates;
using TokenBroker.Mail.Net;

namespace TokenBroker.Jobs.Mail;

/// <summary>The "Mail" settings both jobs read (server addresses, extra CA), checked at start-up with the setting's name in the error.</summary>
internal static class MailServerSettings
{
    /// <exception cref="InvalidOperationException">The value is no <paramref name="protocol"/> address.</exception>
    public static MailEndpoint Endpoint(string value, string setting, MailProtocol protocol, string expected) =>
        MailEndpoint.TryParse(value, out var endpoint, out var error) && endpoint.Protocol == protocol
            ? endpoint
            : throw new InvalidOperationException($"Setting '{setting}' is '{value}': {(error.Length > 0 ? error : "use " + expected + ".")}");

    /// <summary>The certificates of Mail:ExtraTrustedCaFile (a private or test CA, trusted besides the system roots), or null.</summary>
    /// <exception cref="InvalidOperationException">The file is missing or holds no PEM certificate.</exception>
    public static X509Certificate2Collection? LoadExtraRoots(string? file) => LoadExtraRoots(file, "Mail:ExtraTrustedCaFile");

    /// <summary>The certificates of a PEM file named by <paramref name="setting"/>, or null when the setting is empty.</summary>
    public static X509Certificate2Collection? LoadExtraRoots(string? file, string setting)
    {
        if (string.IsNullOrWhiteSpace(file)) return null;
        if (!File.Exists(file))
            throw new InvalidOperationException($"Setting '{setting}' names '{file}', which does not exist.");
        var roots = new X509Certificate2Collection();
        try
        {
            roots.ImportFromPemFile(file);
        }
        catch (System.Security.Cryptography.CryptographicException e)
        {
            throw new InvalidOperationException($"Setting '{setting}': '{file}' is not a PEM certificate file ({e.Message}).");
        }
        return roots.Count > 0 ? roots : throw new InvalidOperationException($"Setting '{setting}': '{file}' holds no PEM certificate.");
    }
}
