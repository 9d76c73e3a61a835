namespace TokenBroker.Jobs.Mail;

/// <summary>
/// A "fetch" mail request (schema version 1, docs/mail-requests.md). After validation the values are normalized:
/// <see cref="Protocol"/> and <see cref="AfterFetch"/> lower case, <see cref="Folder"/> defaults to INBOX,
/// <see cref="MaxMessages"/> to 50, <see cref="AfterFetch"/> to "none".
/// </summary>
public sealed record FetchRequest
{
    public string Id { get; init; } = "";
    public string Mailbox { get; init; } = "";
    /// <summary>"imap" or "pop3".</summary>
    public string Protocol { get; init; } = "";
    public string Folder { get; init; } = "INBOX";
    public int MaxMessages { get; init; } = 50;
    /// <summary>"none", "seen" (IMAP), "move" (IMAP, to <see cref="MoveTo"/>) or "delete".</summary>
    public string AfterFetch { get; init; } = "none";
    public string? MoveTo { get; init; }
    public FetchSink Sink { get; init; } = new();
}

/// <summary>Where fetched messages go: a signed webhook (<see cref="Url"/>, HMAC secret in the setting named
/// <see cref="SecretSetting"/>) or a Maildir folder (<see cref="Path"/>, standalone only).</summary>
public sealed record FetchSink
{
    /// <summary>"webhook" or "maildir".</summary>
    public string Type { get; init; } = "";
    public string? Url { get; init; }
    public string? SecretSetting { get; init; }
    public string? Path { get; init; }
}
