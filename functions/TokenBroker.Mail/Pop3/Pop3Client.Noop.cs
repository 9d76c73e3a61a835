namespace TokenBroker.Mail.Pop3;

public sealed partial class Pop3Client
{
    /// <summary>NOOP: keeps the session alive.</summary>
    public Task NoopAsync(CancellationToken cancellationToken = default) => ExecuteAsync("NOOP", cancellationToken);
}
