namespace TokenBroker.Mail.Pop3;

public sealed partial class Pop3Client
{
    /// <summary>CAPA: the server's capability lines (they change after STLS and login).</summary>
    public async Task<IReadOnlyCollection<string>> CapaAsync(CancellationToken cancellationToken = default)
    {
        await ExecuteAsync("CAPA", cancellationToken).ConfigureAwait(false);
        var lines = await ReadMultiLineAsync(cancellationToken).ConfigureAwait(false);
        _capabilities.Clear();
        foreach (var line in lines) _capabilities.Add(line.Trim());
        return _capabilities.ToArray();
    }
}
