using TokenBroker.Mail.Net;

namespace TokenBroker.Mail.Fetch;

/// <summary>
/// What the IMAP and POP3 fetchers share: where and as whom they log in, their options, and the checks
/// made before any connection (a handler, options that fit the protocol, a checkpoint of its own kind).
/// </summary>
public abstract class ProtocolMailFetcher<TCheckpoint> : IMailFetcher
    where TCheckpoint : MailCheckpoint
{
    private readonly MailProtocol _protocol;

    private protected ProtocolMailFetcher(MailProtocol protocol, MailEndpoint endpoint, MailClientOptions clientOptions, MailLogin login, MailFetchOptions? options)
    {
        _protocol = protocol;
        Endpoint = endpoint;
        ClientOptions = clientOptions;
        Login = login;
        Options = options ?? new MailFetchOptions();
    }

    private protected MailEndpoint Endpoint { get; }

    private protected MailClientOptions ClientOptions { get; }

    private protected MailLogin Login { get; }

    private protected MailFetchOptions Options { get; }

    public async Task<MailFetchResult> FetchAsync(
        MailCheckpoint? checkpoint,
        MailHandler onMessage,
        CheckpointHandler? onCheckpoint = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(onMessage);
        Options.Validate(isImap: _protocol == MailProtocol.Imap);
        if (checkpoint is not (null or TCheckpoint))
        {
            var kind = _protocol == MailProtocol.Imap ? "an IMAP" : "a POP3";
            throw new ArgumentException($"{char.ToUpperInvariant(kind[0])}{kind[1..]} fetch needs {kind} checkpoint, not {checkpoint.GetType().Name}.", nameof(checkpoint));
        }
        return await FetchCheckedAsync((TCheckpoint?)checkpoint, onMessage, onCheckpoint, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The protocol's fetch, once the arguments passed the shared checks.</summary>
    private protected abstract Task<MailFetchResult> FetchCheckedAsync(
        TCheckpoint? checkpoint,
        MailHandler onMessage,
        CheckpointHandler? onCheckpoint,
        CancellationToken cancellationToken);
}
