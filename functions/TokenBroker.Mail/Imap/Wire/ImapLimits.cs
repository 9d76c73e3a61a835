namespace TokenBroker.Mail.Imap.Wire;

/// <summary>Bounds that keep a misbehaving server from making the client allocate without end.</summary>
internal sealed record ImapLimits
{
    /// <summary>Literals that are not routed to a sink (names, headers) are held in memory up to this size.</summary>
    public long MaxBufferedLiteralBytes { get; init; } = 16 * 1024 * 1024;

    public int MaxLiteralsPerResponse { get; init; } = 100_000;

    public static ImapLimits Default { get; } = new();
}
