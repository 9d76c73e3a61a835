using TokenBroker.Mail.Imap;
using TokenBroker.Mail.Net;
using TokenBroker.Mail.Pop3;
using TokenBroker.Mail.Sasl;
using TokenBroker.Mail.Smtp;

namespace TokenBroker.Mail.Probe;

/// <summary>
/// Logs in to an IMAP, POP3 or SMTP server one visible step at a time (connect, capabilities, TLS,
/// capabilities again, authenticate, a first real command, logout) and returns what the server said at
/// each step. It never throws for a server's answer: the result says which step failed and why.
/// </summary>
public static class MailLoginProbe
{
    public static async Task<MailProbeResult> ProbeAsync(
        MailEndpoint endpoint,
        MailClientOptions options,
        ISaslMechanism mechanism,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(mechanism);
        var transcript = new ProbeTranscript(options.ProtocolLog);
        var probeOptions = ProbeTranscript.WithLog(options, transcript);
        var result = new MailProbeResult { Endpoint = endpoint };
        var steps = new ProbeSteps(result, transcript);
        try
        {
            await (endpoint.Protocol switch
            {
                MailProtocol.Imap => ProbeImapAsync(endpoint, probeOptions, mechanism, result, steps, cancellationToken),
                MailProtocol.Pop3 => ProbePop3Async(endpoint, probeOptions, mechanism, result, steps, cancellationToken),
                _ => ProbeSmtpAsync(endpoint, probeOptions, mechanism, result, steps, cancellationToken),
            }).ConfigureAwait(false);
        }
        finally
        {
            result.Transcript = transcript.Lines;
        }
        return result;
    }

    private static async Task ProbeImapAsync(MailEndpoint endpoint, MailClientOptions options, ISaslMechanism mechanism,
        MailProbeResult result, ProbeSteps steps, CancellationToken cancellationToken)
    {
        ImapClient? client = null;
        try
        {
            if (!await steps.RunAsync("connect", async () => client = await ImapClient.OpenAsync(endpoint, options, cancellationToken))) return;
            if (!await steps.RunAsync("CAPABILITY", () => client!.CapabilityAsync(cancellationToken))) return;
            if (!client!.IsEncrypted)
            {
                result.CapabilitiesBeforeTls = client.Capabilities.ToArray();
                if (!await steps.RunAsync("STARTTLS, then CAPABILITY", () => client.StartTlsAsync(cancellationToken))) return;
            }
            result.CapabilitiesAfterTls = client.Capabilities.ToArray();
            if (!await steps.RunAsync($"AUTHENTICATE {mechanism.Name}", () => client.AuthenticateAsync(mechanism, cancellationToken))) return;
            result.CapabilitiesAfterLogin = client.Capabilities.ToArray();
            // Exchange accepts the token of a mailbox with IMAP disabled and only fails the next command.
            if (!await steps.RunAsync("EXAMINE INBOX", () => client.SelectAsync("INBOX", readOnly: true, cancellationToken))) return;
            await steps.RunAsync("LOGOUT", () => client.LogoutAsync(cancellationToken));
        }
        finally
        {
            if (client is not null) await client.DisposeAsync().ConfigureAwait(false);
        }
    }

    private static async Task ProbePop3Async(MailEndpoint endpoint, MailClientOptions options, ISaslMechanism mechanism,
        MailProbeResult result, ProbeSteps steps, CancellationToken cancellationToken)
    {
        Pop3Client? client = null;
        try
        {
            if (!await steps.RunAsync("connect", async () => client = await Pop3Client.OpenAsync(endpoint, options, cancellationToken))) return;
            if (!await steps.RunAsync("CAPA", () => client!.CapaAsync(cancellationToken))) return;
            if (!client!.IsEncrypted)
            {
                result.CapabilitiesBeforeTls = client.Capabilities.ToArray();
                if (!await steps.RunAsync("STLS, then CAPA", () => client.StlsAsync(cancellationToken))) return;
            }
            result.CapabilitiesAfterTls = client.Capabilities.ToArray();
            if (!await steps.RunAsync($"AUTH {mechanism.Name}", () => client.AuthenticateAsync(mechanism, cancellationToken))) return;
            if (!await steps.RunAsync("CAPA", () => client.CapaAsync(cancellationToken))) return;
            result.CapabilitiesAfterLogin = client.Capabilities.ToArray();
            if (!await steps.RunAsync("STAT", () => client.StatAsync(cancellationToken))) return;
            await steps.RunAsync("QUIT", () => client.QuitAsync(cancellationToken));
        }
        finally
        {
            if (client is not null) await client.DisposeAsync().ConfigureAwait(false);
        }
    }

    private static async Task ProbeSmtpAsync(MailEndpoint endpoint, MailClientOptions options, ISaslMechanism mechanism,
        MailProbeResult result, ProbeSteps steps, CancellationToken cancellationToken)
    {
        await using var client = new SmtpClient(options);
        var opening = endpoint.Security == MailSecurity.StartTls ? "connect, EHLO, STARTTLS, EHLO" : "connect, EHLO";
        if (!await steps.RunAsync(opening, () => client.ConnectAsync(endpoint, cancellationToken))) return;
        result.CapabilitiesAfterTls = client.Capabilities.Keywords.ToArray();
        if (!await steps.RunAsync($"AUTH {mechanism.Name}", () => client.AuthenticateAsync(mechanism, cancellationToken))) return;
        await steps.RunAsync("QUIT", () => client.QuitAsync(cancellationToken));
    }
}
