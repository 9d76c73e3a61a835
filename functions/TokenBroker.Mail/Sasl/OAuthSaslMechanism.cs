using System.Net;
using MailKit.Security;

namespace TokenBroker.Mail.Sasl;

/// <summary>
/// What XOAUTH2 and OAUTHBEARER share as MailKit mechanisms. The token rides on the AUTH line (SASL-IR)
/// only while that line stays within <see cref="MaxInitialResponseLineLength"/>; otherwise MailKit sends
/// the bare AUTH command and the token goes after the server's empty 334/"+" prompt (Dovecot submission
/// refuses long AUTH lines, Postfix stops at 2,048 bytes, Dovecot POP3 never answers them). Every
/// challenge after the initial response is the server's JSON error: it is kept in
/// <see cref="ServerError"/> and answered with the mechanism's abort response, so the server can send
/// its failure reply and the session stays in step (this is also what makes a POP3 retry on the same
/// connection work: the mechanism does not report itself finished before the server has answered).
/// </summary>
public abstract class OAuthSaslMechanism : SaslMechanism
{
    /// <summary>The longest "AUTH MECH initial-response\r\n" line sent; longer ones are prompted.</summary>
    public const int MaxInitialResponseLineLength = 500;

    private State _state;

    protected OAuthSaslMechanism(string user, string accessToken)
        : base(CheckedCredential(user, accessToken))
    {
    }

    private enum State { Fresh, Responded, Aborted }

    /// <summary>The error the server described in a challenge during this exchange, if any.</summary>
    public SaslServerError? ServerError { get; private set; }

    public override bool SupportsInitialResponse =>
        "AUTH ".Length + MechanismName.Length + 1 + Base64Length(InitialResponse().Length) + 2 <= MaxInitialResponseLineLength;

    /// <summary>The client's first message, before base64.</summary>
    public abstract byte[] InitialResponse();

    /// <summary>What the mechanism answers to a server error challenge (empty for XOAUTH2, ^A for OAUTHBEARER).</summary>
    protected abstract byte[] AbortResponse { get; }

    protected string User => Credentials.UserName;

    protected string AccessToken => Credentials.Password;

    protected override byte[]? Challenge(byte[]? token, int startIndex, int length, CancellationToken cancellationToken)
    {
        switch (_state)
        {
            case State.Fresh:
                // Either SASL-IR (token null) or the answer to the server's empty first prompt.
                _state = State.Responded;
                return InitialResponse();
            case State.Responded:
                if (token is not null && length > 0)
                    ServerError = SaslServerError.Parse(token.AsSpan(startIndex, length).ToArray());
                _state = State.Aborted;
                return AbortResponse;
            default:
                // After the abort response the server must send its failure reply (RFC 7628 §3.2.3);
                // another challenge would have the client answer forever.
                throw new SaslException(MechanismName, SaslErrorCode.InvalidChallenge,
                    $"The server sent another {MechanismName} challenge after the client aborted the exchange.");
        }
    }

    public override void Reset()
    {
        _state = State.Fresh;
        ServerError = null;
        base.Reset();
    }

    private static int Base64Length(int bytes) => (bytes + 2) / 3 * 4;

    private static NetworkCredential CheckedCredential(string user, string accessToken)
    {
        SaslArguments.RequireNoControlCharacters(user, nameof(user));
        SaslArguments.RequireToken(accessToken, nameof(accessToken));
        return new NetworkCredential(user, accessToken);
    }
}
