namespace TokenBroker.Mail;

/// <summary>
/// The server refused one command; the connection itself is fine and can be used for the next command.
/// </summary>
public class MailCommandException : Exception
{
    public MailCommandException(string message, string serverReply, Exception? innerException = null)
        : base(message, innerException)
    {
        ServerReply = serverReply;
    }

    /// <summary>The server's reply text, as received (all lines of a multi-line reply, joined by newlines).</summary>
    public string ServerReply { get; }
}
