namespace TokenBroker.Jobs.Mail;

/// <summary>A "send" mail request (schema version 1, docs/mail-requests.md), as parsed; <see cref="MailRequestValidator"/> checks it.</summary>
public sealed record SendRequest
{
    /// <summary>The idempotency key: the same id from the same mailbox is sent once.</summary>
    public string Id { get; init; } = "";
    public string From { get; init; } = "";
    public IReadOnlyList<string> To { get; init; } = [];
    public IReadOnlyList<string> Cc { get; init; } = [];
    public IReadOnlyList<string> Bcc { get; init; } = [];
    public string? ReplyTo { get; init; }
    public string? Subject { get; init; }
    public string? Text { get; init; }
    public string? Html { get; init; }
    public IReadOnlyList<SendAttachment> Attachments { get; init; } = [];
    public IReadOnlyDictionary<string, string> Headers { get; init; } = new Dictionary<string, string>();

    /// <summary>Every envelope recipient (To, Cc, Bcc), each once.</summary>
    public IEnumerable<string> AllRecipients =>
        To.Concat(Cc).Concat(Bcc).Distinct(StringComparer.OrdinalIgnoreCase);
}

/// <summary>An attachment carried in the request; <see cref="ContentId"/> makes it an inline image for the HTML ("cid:").</summary>
public sealed record SendAttachment
{
    public string Name { get; init; } = "";
    public string? ContentType { get; init; }
    public string ContentBase64 { get; init; } = "";
    public string? ContentId { get; init; }
}
