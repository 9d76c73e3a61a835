// Stand-ins for the foundation types the mail-smtp branch is writing; deleted when that branch is merged.
namespace TokenBroker.Mail;

public class MailProtocolException(string message, Exception? inner = null) : Exception(message, inner);

public class MailCommandException(string message, string? serverReply = null) : Exception(message)
{
    public string? ServerReply { get; } = serverReply;
}

public class MailAuthenticationException(string message, string? serverReply = null, string? errorChallenge = null) : MailCommandException(message, serverReply)
{
    public string? ErrorChallenge { get; } = errorChallenge;
}
