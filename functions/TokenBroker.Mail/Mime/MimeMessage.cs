namespace TokenBroker.Mail.Mime;

/// <summary>
/// A message to send: headers, a text and/or HTML body, attachments and inline resources. Written with
/// <see cref="WriteToAsync"/> as RFC 5322/MIME bytes (CRLF, 7-bit: non-ASCII text is base64 or RFC 2047),
/// identical on every write (Date, Message-ID and boundaries are fixed on first use).
/// </summary>
public sealed class MimeMessage
{
    private static readonly HashSet<string> GeneratedHeaders = new(StringComparer.OrdinalIgnoreCase)
    {
        "Date", "From", "Sender", "Reply-To", "To", "Cc", "Bcc", "Subject", "Message-ID", "MIME-Version",
        "Content-Type", "Content-Transfer-Encoding", "Content-Disposition", "Content-ID",
    };

    private string? _subject;
    private string? _messageId;
    private DateTimeOffset? _date;
    private readonly List<KeyValuePair<string, string>> _headers = [];
    private readonly string _boundarySeed = Guid.NewGuid().ToString("N");

    public MailboxAddress? From { get; set; }

    public List<MailboxAddress> To { get; } = [];
    public List<MailboxAddress> Cc { get; } = [];

    /// <summary>Envelope-only recipients: they receive the message but never appear in it.</summary>
    public List<MailboxAddress> Bcc { get; } = [];

    public List<MailboxAddress> ReplyTo { get; } = [];

    public string? Subject
    {
        get => _subject;
        set
        {
            HeaderSafety.RejectLineBreaks(value, "subject");
            _subject = value;
        }
    }

    /// <summary>The Message-ID without angle brackets; set it to make it stable across retries
    /// (<see cref="MessageIds.FromIdempotencyKey"/>). Left unset, a random one at the From domain is made once.</summary>
    public string MessageId
    {
        get => _messageId ??= MessageIds.New(From?.Domain ?? "tokenbroker.invalid");
        set => _messageId = MessageIds.Normalize(value);
    }

    /// <summary>The Date header; left unset, the time of the first write (or of this first read).</summary>
    public DateTimeOffset Date
    {
        get => _date ??= TimeProvider.GetUtcNow();
        set => _date = value;
    }

    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    public string? TextBody { get; set; }

    public string? HtmlBody { get; set; }

    public List<MimeAttachment> Attachments { get; } = [];

    /// <summary>Inline resources the HTML body shows via "cid:"; they go into multipart/related with the HTML.</summary>
    public List<MimeAttachment> LinkedResources { get; } = [];

    /// <summary>Extra headers in the order added. Non-ASCII values are RFC 2047-encoded.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Headers => _headers;

    public void AddHeader(string name, string value)
    {
        HeaderSafety.RejectLineBreaks(name, $"header name '{name}'");
        HeaderSafety.RejectLineBreaks(value, $"value of header '{name}'");
        if (name.Length == 0 || name.Any(c => c is <= ' ' or > '~' or ':'))
            throw new ArgumentException($"'{name}' is not a valid header name (printable ASCII without ':' or spaces).", nameof(name));
        if (GeneratedHeaders.Contains(name))
            throw new ArgumentException($"The {name} header is written from the message's properties; set those instead.", nameof(name));
        _headers.Add(new(name, value));
    }

    /// <summary>To, Cc and Bcc addresses, each once: the SMTP envelope recipients.</summary>
    public IEnumerable<string> EnvelopeRecipients =>
        To.Concat(Cc).Concat(Bcc).Select(a => a.Address).Distinct(StringComparer.OrdinalIgnoreCase);

    public Task WriteToAsync(Stream destination, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(destination);
        if (From is null)
            throw new InvalidOperationException("The message needs a From address.");
        return new MimeWriter(destination, _boundarySeed).WriteMessageAsync(this, cancellationToken);
    }
}
