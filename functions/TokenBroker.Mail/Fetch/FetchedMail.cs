namespace TokenBroker.Mail.Fetch;

/// <summary>
/// One message handed to the caller. <see cref="Content"/> holds the raw RFC 822 bytes exactly as the
/// server sent them (readable and seekable, valid only during the callback).
/// </summary>
public sealed class FetchedMail
{
    /// <summary>The IMAP UID (as text) or the POP3 UIDL: what names the message in the checkpoint and in file names.</summary>
    public required string Id { get; init; }

    /// <summary>The IMAP UID; null for POP3.</summary>
    public uint? Uid { get; init; }

    /// <summary>IMAP: the folder's UIDVALIDITY the <see cref="Uid"/> belongs to; null for POP3.</summary>
    public uint? UidValidity { get; init; }

    public required long Size { get; init; }

    /// <summary>IMAP flags as they were when listed, with <see cref="MailFetchOptions.IncludeFlags"/>; else empty, and for POP3.</summary>
    public IReadOnlyList<string> Flags { get; init; } = [];

    public required Stream Content { get; init; }
}
