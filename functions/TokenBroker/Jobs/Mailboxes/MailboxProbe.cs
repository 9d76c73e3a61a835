using TokenBroker.Jobs.Fetch;
using TokenBroker.Jobs.Mail;
using TokenBroker.Mail.Fetch;
using TokenBroker.Mail.Net;
using TokenBroker.Mail.Probe;
using TokenBroker.Mail.Sasl;
using TokenBroker.Mail.Tokens;
using TokenBroker.OAuth;

namespace TokenBroker.Jobs.Mailboxes;

/// <summary>What a probe of a mailbox's server showed: each step with the server's lines, the dialogue (AUTH payloads redacted) and the likely cause of a failure.</summary>
public sealed record MailboxProbeReport(string Address, string Protocol, string Server, bool Succeeded, IReadOnlyList<MailProbeStep> Steps,
    IReadOnlyList<string> Transcript, string? Diagnosis);

/// <summary>
/// Probe now: logs in to the mailbox's configured IMAP, POP3 or SMTP server with the token the broker would use
/// (<see cref="MailLoginProbe"/>) and explains a refusal (<see cref="MailLoginDiagnosis"/>). Never shows the token.
/// </summary>
public sealed class MailboxProbe(IMailboxTokenProvider tokens, MailServers servers, SmtpTarget smtp, TimeProvider time)
{
    public static readonly IReadOnlyList<string> Protocols = ["imap", "pop3", "smtp"];

    public async Task<MailboxProbeReport> ProbeAsync(string address, string protocol, CancellationToken cancellationToken)
    {
        var endpoint = protocol.ToLowerInvariant() switch
        {
            "imap" => servers.Imap,
            "pop3" => servers.Pop3,
            "smtp" => smtp.Endpoint,
            _ => throw new MailboxActionRefusedException(400, $"'{protocol}' is not a protocol to probe; use imap, pop3 or smtp."),
        };
        MailboxAccessToken token;
        try
        {
            token = await tokens.GetAccessTokenAsync(address, cancellationToken).ConfigureAwait(false);
        }
        catch (MailboxTokenUnavailableException unavailable)
        {
            throw new MailboxActionRefusedException(unavailable.IsUnknownMailbox ? 404 : 409, $"No token to probe with: {unavailable.Failure.Reason}");
        }
        var mechanism = endpoint.Protocol == MailProtocol.Smtp ? smtp.SaslMechanism
            : servers.Mechanism == MailSaslMechanism.OAuthBearer ? "oauthbearer" : "xoauth2";
        var sasl = OAuthMechanisms.CreateSasl(mechanism, token.User, token.AccessToken, endpoint);
        var result = await MailLoginProbe.ProbeAsync(endpoint, servers.ClientOptions, sasl, cancellationToken).ConfigureAwait(false);
        var diagnosis = MailLoginDiagnosis.Explain(result, AccessTokenClaims.TryDecode(token.AccessToken), token.User, time.GetUtcNow());
        return new MailboxProbeReport(token.User, protocol.ToLowerInvariant(), endpoint.ToString(), result.Succeeded, result.Steps, result.Transcript, diagnosis);
    }
}
