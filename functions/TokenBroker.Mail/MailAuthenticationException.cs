using TokenBroker.Mail.Sasl;

namespace TokenBroker.Mail;

/// <summary>
/// The server refused the credentials (or the client refused to send them). The connection is usually
/// still open but not authenticated. <see cref="IsTransient"/> separates "try again later" (SMTP 454,
/// IMAP [UNAVAILABLE]) from "this token will never work" (expired, wrong audience, revoked consent).
/// </summary>
public class MailAuthenticationException : Exception
{
    public MailAuthenticationException(
        string message,
        string? serverReply = null,
        SaslServerError? saslServerError = null,
        bool isTransient = false,
        Exception? innerException = null)
        : base(message, innerException)
    {
        ServerReply = serverReply;
        SaslServerError = saslServerError;
        IsTransient = isTransient;
    }

    /// <summary>The server's final reply to the authentication, e.g. "535 5.7.8 Authentication failed.".</summary>
    public string? ServerReply { get; }

    /// <summary>The JSON error challenge the server sent before failing (RFC 7628 §3.2.2), when it sent one.</summary>
    public SaslServerError? SaslServerError { get; }

    public bool IsTransient { get; }
}
