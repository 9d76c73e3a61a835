using System.Security.Cryptography.X509Certificates;

namespace TokenBroker.Mail.Net;

/// <summary>Settings shared by the SMTP, IMAP and POP3 clients. Defaults are set in code.</summary>
public sealed class MailClientOptions
{
    /// <summary>Time allowed for the TCP connect and, separately, for the TLS handshake.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The longest the client waits on any single read or write (an idle timeout: a large
    /// message keeps going as long as bytes move). A server silent for longer breaks the connection.</summary>
    public TimeSpan CommandTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Longest protocol line accepted from the server, in bytes; a longer one is a protocol error
    /// (it guards memory against a broken or hostile server).</summary>
    public int MaxLineLength { get; set; } = 64 * 1024;

    /// <summary>
    /// Certificate authorities trusted in addition to the system's (a private relay, or the test CA).
    /// Validation is never switched off: a certificate must chain to a trusted root and match the host.
    /// </summary>
    public X509Certificate2Collection? ExtraTrustedRoots { get; set; }

    /// <summary>
    /// When true (the default) a server certificate is accepted if it chains to a system root OR to one of
    /// <see cref="ExtraTrustedRoots"/>, so one configuration reaches both Exchange Online and a private
    /// server. Set false to pin: only <see cref="ExtraTrustedRoots"/> are trusted (a public CA can then
    /// not vouch for a private server's name).
    /// </summary>
    public bool TrustSystemRoots { get; set; } = true;

    /// <summary>The name the client gives in EHLO/HELO (SMTP) — a host name or address literal.</summary>
    public string ClientName { get; set; } = "localhost";

    /// <summary>Receives every protocol line with AUTH payloads blanked out. Null: no log.</summary>
    public IMailProtocolLog? ProtocolLog { get; set; }

    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(ConnectTimeout, TimeSpan.Zero, nameof(ConnectTimeout));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(CommandTimeout, TimeSpan.Zero, nameof(CommandTimeout));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxLineLength, 512, nameof(MaxLineLength));
        if (!TrustSystemRoots && (ExtraTrustedRoots is null || ExtraTrustedRoots.Count == 0))
            throw new ArgumentException("TrustSystemRoots is false but ExtraTrustedRoots is empty: no certificate could ever be trusted.");
    }
}
