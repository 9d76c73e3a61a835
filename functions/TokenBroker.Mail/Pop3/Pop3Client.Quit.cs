namespace TokenBroker.Mail.Pop3;

public sealed partial class Pop3Client
{
    /// <summary>QUIT: ends the session; only now are messages marked with DELE removed (an -ERR means they were not).</summary>
    public async Task QuitAsync(CancellationToken cancellationToken = default)
    {
        await ExecuteAsync("QUIT", cancellationToken).ConfigureAwait(false);
        IsAuthenticated = false;
    }
}
