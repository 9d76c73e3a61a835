namespace TokenBroker.Mail.Mime;

/// <summary>
/// What a sent message consists of, before MimeKit builds it (<see cref="OutgoingMessageBuilder"/>). Addresses are
/// "addr" or "Name &lt;addr&gt;". <see cref="MessageId"/> and <see cref="Date"/> are required: a retry of the same request
/// must be the same message, and MimeKit would otherwise invent both.
/// </summary>
public sealed record OutgoingMessage
{
    public required string From { get; init; }
    public IReadOnlyList<string> To { get; init; } = [];
    public IReadOnlyList<string> Cc { get; init; } = [];
    public IReadOnlyList<string> Bcc { get; init; } = [];
    public string? ReplyTo { get; init; }
    public string? Subject { get; init; }
    public string? Text { get; init; }
    public string? Html { get; init; }
    public IReadOnlyList<OutgoingAttachment> Attachments { get; init; } = [];

    /// <summary>Extra headers, written in this order after the standard ones.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Headers { get; init; } = [];

    /// <summary>"id@domain" or "&lt;id@domain&gt;".</summary>
    public required string MessageId { get; init; }

    public required DateTimeOffset Date { get; init; }
}

/// <summary>A file carried by the message; a <see cref="ContentId"/> makes it an inline resource of the HTML ("cid:").</summary>
public sealed record OutgoingAttachment(string Name, byte[] Content, string? ContentType = null, string? ContentId = null);
