namespace TokenBroker.Mail.Fetch;

/// <summary>What happens to a message on the server once the caller has taken it.</summary>
public enum AfterFetchAction
{
    /// <summary>Leave it as it was (IMAP fetches with BODY.PEEK[], so \Seen is not set either).</summary>
    None,

    /// <summary>IMAP: set \Seen.</summary>
    MarkSeen,

    /// <summary>IMAP: move it to <see cref="MailFetchOptions.MoveToFolder"/>.</summary>
    MoveToFolder,

    /// <summary>POP3: DELE, committed at QUIT.</summary>
    Delete,
}

/// <summary>What to do when an IMAP folder's UIDVALIDITY differs from the checkpoint's.</summary>
public enum UidValidityChangeAction
{
    /// <summary>Deliver every message in the folder again (duplicates are possible; nothing is lost).</summary>
    RefetchAll,

    /// <summary>Deliver nothing now; continue from the messages that arrive after this run.</summary>
    SkipExisting,

    /// <summary>Deliver nothing and keep the old checkpoint: the caller decides.</summary>
    Stop,
}

public sealed class MailFetchOptions
{
    /// <summary>The IMAP folder to read (POP3 has only the inbox).</summary>
    public string Folder { get; set; } = "INBOX";

    public AfterFetchAction AfterFetch { get; set; } = AfterFetchAction.None;

    public string? MoveToFolder { get; set; }

    public UidValidityChangeAction OnUidValidityChanged { get; set; } = UidValidityChangeAction.RefetchAll;

    /// <summary>At most this many messages per run; the checkpoint tells the next run where to go on.</summary>
    public int MaxMessages { get; set; } = 500;

    /// <summary>
    /// IMAP: list each message's flags for <see cref="FetchedMail.Flags"/> (the CLI prints them). Off, the listing asks
    /// only for UIDs and sizes: MailKit parsed a listing of 1,000 messages in 6-9 ms instead of 9-12 (imap-fetch benchmark).
    /// </summary>
    public bool IncludeFlags { get; set; }

    /// <summary>
    /// IMAP with an after-fetch action: how many messages one UID FETCH asks for. The action follows each batch, so a run
    /// stopped mid-batch leaves at most this many delivered messages without it. Without an action, one UID FETCH asks for
    /// as many messages as <see cref="MaxMessageBytes"/> allows.
    /// </summary>
    public int BatchSize { get; set; } = 100;

    /// <summary>
    /// The largest message accepted, in bytes. A message the server announces as larger is refused before it is
    /// read (<see cref="MailMessageTooLargeException"/>); a server that sends more than it announced is cut off
    /// once it passes the announced size (at most this cap) plus protocol overhead, so memory stays bounded.
    /// </summary>
    public long MaxMessageBytes { get; set; } = 50L * 1024 * 1024;

    /// <summary>The longest one fetch run may take, from connecting to logging out (each read has its own
    /// timeout, <c>MailClientOptions.CommandTimeout</c>); a server that trickles bytes cannot keep a run alive.</summary>
    public TimeSpan RunTimeout { get; set; } = TimeSpan.FromMinutes(10);

    internal void Validate(bool isImap)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxMessages, 1, nameof(MaxMessages));
        ArgumentOutOfRangeException.ThrowIfLessThan(BatchSize, 1, nameof(BatchSize));
        ArgumentException.ThrowIfNullOrEmpty(Folder, nameof(Folder));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxMessageBytes, 1, nameof(MaxMessageBytes));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(RunTimeout, TimeSpan.Zero, nameof(RunTimeout));
        switch (AfterFetch)
        {
            case AfterFetchAction.MoveToFolder when string.IsNullOrEmpty(MoveToFolder):
                throw new ArgumentException("AfterFetch is MoveToFolder but MoveToFolder names no folder.");
            case AfterFetchAction.MoveToFolder or AfterFetchAction.MarkSeen when !isImap:
                throw new ArgumentException($"{AfterFetch} needs IMAP; POP3 can only leave or delete messages.");
            case AfterFetchAction.Delete when isImap:
                throw new ArgumentException("Delete is for POP3; with IMAP, move messages to a folder instead.");
        }
    }
}
