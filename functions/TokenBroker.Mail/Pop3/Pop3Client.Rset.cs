namespace TokenBroker.Mail.Pop3;

public sealed partial class Pop3Client
{
    /// <summary>RSET: unmarks every message marked deleted in this session.</summary>
    public Task RsetAsync(CancellationToken cancellationToken = default) => ExecuteAsync("RSET", cancellationToken);
}
