namespace TokenBroker.Mail;

/// <summary>
/// The connection is no longer usable: the server sent something that is not the protocol, closed the
/// connection, or did not answer in time. Reconnect; retrying on the same connection cannot work.
/// </summary>
public class MailProtocolException : Exception
{
    public MailProtocolException(string message, Exception? innerException = null)
        : base(message, innerException) { }

    public MailProtocolException(string message, string? receivedText, Exception? innerException = null)
        : base(receivedText is null ? message : $"{message} Received: {Truncate(receivedText)}", innerException)
    {
        ReceivedText = receivedText;
    }

    /// <summary>What the server sent that could not be understood, when that helps to diagnose it.</summary>
    public string? ReceivedText { get; }

    private static string Truncate(string text) => text.Length <= 200 ? text : text[..200] + "…";
}
