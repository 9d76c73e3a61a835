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

/// <summary>Where fetched messages go: a sink the operator configured (Sinks:Webhooks or Sinks:Maildirs), by
/// <see cref="Name"/>; a maildir sink may take a <see cref="Folder"/> beneath its root.</summary>
public sealed record FetchSink
{
    public string Name { get; init; } = "";
    public string? Folder { get; init; }
}
