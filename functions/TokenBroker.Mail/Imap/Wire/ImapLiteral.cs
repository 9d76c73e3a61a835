namespace TokenBroker.Mail.Imap.Wire;

/// <summary>
/// A literal a response carried: either buffered (small values such as a mailbox name) or already
/// copied into the sink a command chose for it (message bodies), in which case only its length is kept.
/// </summary>
internal sealed class ImapLiteral(long length, byte[]? data, object? sinkState)
{
    public long Length { get; } = length;

    /// <summary>The bytes, when the literal was buffered; null when it went to a sink.</summary>
    public byte[]? Data { get; } = data;

    /// <summary>What the command's sink returned for it, handed back to the command when it parses the response.</summary>
    public object? SinkState { get; } = sinkState;
}
