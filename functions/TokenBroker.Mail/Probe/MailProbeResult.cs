using TokenBroker.Mail.Net;
using TokenBroker.Mail.Sasl;

namespace TokenBroker.Mail.Probe;

/// <summary>One step of a probe: what the client did and exactly what the server answered.</summary>
public sealed record MailProbeStep(string Name, bool Succeeded, IReadOnlyList<string> ServerLines, string? Error = null);

/// <summary>What happened when logging in to a mail server, step by step; never thrown, always returned.</summary>
public sealed class MailProbeResult
{
    public required MailEndpoint Endpoint { get; init; }

    public List<MailProbeStep> Steps { get; } = [];

    public bool Succeeded => Steps.Count > 0 && Steps.All(step => step.Succeeded);

    public MailProbeStep? FailedStep => Steps.FirstOrDefault(step => !step.Succeeded);

    /// <summary>Capabilities on the plain connection (imap://, pop3://) before STARTTLS/STLS; null for implicit TLS.</summary>
    public IReadOnlyCollection<string>? CapabilitiesBeforeTls { get; set; }

    /// <summary>Capabilities once TLS is up, before login.</summary>
    public IReadOnlyCollection<string>? CapabilitiesAfterTls { get; set; }

    /// <summary>Capabilities after login (IMAP and POP3 may announce more).</summary>
    public IReadOnlyCollection<string>? CapabilitiesAfterLogin { get; set; }

    /// <summary>The final reply to the failed login, when login failed.</summary>
    public string? AuthenticationReply { get; set; }

    /// <summary>The decoded JSON error challenge the server sent before refusing the token.</summary>
    public SaslServerError? SaslServerError { get; set; }

    /// <summary>The whole dialogue, AUTH payloads redacted.</summary>
    public IReadOnlyList<string> Transcript { get; set; } = [];
}
