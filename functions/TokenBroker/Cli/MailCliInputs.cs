using System.Security.Cryptography.X509Certificates;
using TokenBroker.Mail.Net;

namespace TokenBroker.Cli;

/// <summary>The inputs the `mail` commands share: the token file (read, never printed) and client options.</summary>
internal static class MailCliInputs
{
    public static async Task<string> ReadTokenAsync(FileInfo file, CancellationToken cancellationToken)
    {
        var token = (await File.ReadAllTextAsync(file.FullName, cancellationToken)).Trim();
        if (token.Length == 0) throw new FormatException($"The token file {file.FullName} is empty.");
        return token;
    }

    public static MailClientOptions ClientOptions(FileInfo? caFile, TextWriter? protocolLog)
    {
        var options = new MailClientOptions();
        if (caFile is not null)
        {
            var roots = new X509Certificate2Collection();
            roots.ImportFromPemFile(caFile.FullName);
            if (roots.Count == 0) throw new FormatException($"{caFile.FullName} holds no PEM certificate.");
            options.ExtraTrustedRoots = roots;
        }
        if (protocolLog is not null) options.ProtocolLog = new TextWriterMailProtocolLog(protocolLog);
        return options;
    }
}
