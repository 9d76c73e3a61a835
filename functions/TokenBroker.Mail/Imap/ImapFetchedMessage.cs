namespace TokenBroker.Mail.Imap;

[Flags]
public enum ImapFetchItems
{
    /// <summary>UID only (always requested).</summary>
    Uid = 0,
    Flags = 1,
    InternalDate = 2,
    Size = 4,

    /// <summary>BODY.PEEK[]: the raw RFC 822 message, without setting \Seen.</summary>
    Body = 8,

    Metadata = Flags | InternalDate | Size,
    All = Metadata | Body,
}

/// <summary>One message's FETCH data. <see cref="Body"/> is the sink the caller's factory opened, filled and not rewound.</summary>
public sealed class ImapFetchedMessage
{
    public uint SequenceNumber { get; internal set; }
    public uint Uid { get; internal set; }
    public IReadOnlyList<string>? Flags { get; internal set; }
    public DateTimeOffset? InternalDate { get; internal set; }
    public long? Size { get; internal set; }

    /// <summary>Where the body went (the stream the sink factory returned), or null when no body was fetched.</summary>
    public Stream? Body { get; internal set; }

    public long BodyLength { get; internal set; }
}
