namespace TokenBroker.Mail.Pop3;

public sealed partial class Pop3Client
{
    /// <summary>DELE n: marks the message deleted; it is removed only when QUIT succeeds (RSET undoes it).</summary>
    public Task DeleAsync(int messageNumber, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(messageNumber, 1);
        return ExecuteAsync(FormattableString.Invariant($"DELE {messageNumber}"), cancellationToken);
    }
}
