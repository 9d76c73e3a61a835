namespace TokenBroker.Mail.Pop3;

public sealed partial class Pop3Client
{
    /// <summary>False until CAPA answered +OK: an RFC 1939-only server does not know CAPA (RFC 2449).</summary>
    public bool CapabilitiesKnown { get; private set; }

    /// <summary>CAPA: the server's capability lines (they change after STLS and login).</summary>
    public async Task<IReadOnlyCollection<string>> CapaAsync(CancellationToken cancellationToken = default)
    {
        await ExecuteAsync("CAPA", cancellationToken).ConfigureAwait(false);
        var lines = await ReadMultiLineAsync(cancellationToken).ConfigureAwait(false);
        _capabilities.Clear();
        foreach (var line in lines) _capabilities.Add(line.Trim());
        CapabilitiesKnown = true;
        return _capabilities.ToArray();
    }

    /// <summary>CAPA, where a server that does not know the command (-ERR) just leaves the capabilities unknown.</summary>
    internal async Task TryCapaAsync(CancellationToken cancellationToken)
    {
        try
        {
            await CapaAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (MailCommandException) when (!CapabilitiesKnown)
        {
            _capabilities.Clear();
        }
    }
}
