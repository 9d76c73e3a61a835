using MailKit;
using TokenBroker.Mail.Net;
using TokenBroker.Mail.Sasl;

namespace TokenBroker.Mail.Fetch;

/// <summary>
/// One logged-in MailKit connection of a fetch run, with its limits: the run's deadline
/// (<see cref="MailFetchOptions.RunTimeout"/>), the per-read timeout and the per-step byte allowance of
/// <see cref="FetchStream"/>. Every protocol step goes through <see cref="RunAsync{T}"/>, which sets the
/// allowance and turns MailKit's failures into the broker's exceptions (<see cref="FetchErrors"/>).
/// </summary>
internal sealed class FetchSession<TClient> : IAsyncDisposable
    where TClient : MailService
{
    /// <summary>Room for protocol lines around the data of a step (greeting, capabilities, status lines).</summary>
    public const long ProtocolAllowance = 1024 * 1024;

    private readonly CancellationTokenSource _deadline;
    private readonly CancellationTokenSource _linked;
    private readonly CancellationToken _callerToken;
    private FetchStream? _stream;

    private FetchSession(TClient client, MailProtocol protocol, MailEndpoint endpoint, MailFetchOptions options, TimeProvider time, CancellationToken cancellationToken)
    {
        Client = client;
        Protocol = protocol;
        Endpoint = endpoint;
        Options = options;
        _callerToken = cancellationToken;
        _deadline = new CancellationTokenSource(options.RunTimeout, time);
        _linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _deadline.Token);
    }

    public TClient Client { get; }

    public MailProtocol Protocol { get; }

    public MailEndpoint Endpoint { get; }

    public MailFetchOptions Options { get; }

    /// <summary>Cancelled by the caller or when the run's deadline passes.</summary>
    public CancellationToken Token => _linked.Token;

    /// <summary>Connects (TLS always), logs in with <paramref name="login"/>, and returns the session.</summary>
    public static async Task<FetchSession<TClient>> OpenAsync(
        TClient client, MailProtocol protocol, MailEndpoint endpoint, MailClientOptions clientOptions, MailLogin login, MailFetchOptions options,
        CancellationToken cancellationToken)
    {
        var session = new FetchSession<TClient>(client, protocol, endpoint, options, clientOptions.TimeProvider, cancellationToken);
        try
        {
            await session.RunAsync("the connection", ProtocolAllowance, async token =>
            {
                await MailKitConnector.ConnectAsync(client, endpoint, clientOptions,
                    stream => session._stream = new FetchStream(stream, clientOptions.CommandTimeout, clientOptions.TimeProvider), token).ConfigureAwait(false);
                return true;
            }).ConfigureAwait(false);
            await session.RunAsync("the login", ProtocolAllowance, async token =>
            {
                await OAuthLogin.AuthenticateAsync(client, login.CreateSaslMechanism(endpoint), token).ConfigureAwait(false);
                return true;
            }).ConfigureAwait(false);
            return session;
        }
        catch
        {
            await session.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// Runs one step with at most <paramref name="allowance"/> bytes from the server; <paramref name="step"/>
    /// names it in errors ("UID FETCH 4:7", "RETR of 12").
    /// </summary>
    public async Task<T> RunAsync<T>(string step, long allowance, Func<CancellationToken, Task<T>> action)
    {
        _stream?.Allow(allowance, step);
        try
        {
            return await action(Token).ConfigureAwait(false);
        }
        catch (Exception e) when (!ReferenceEquals(e, CallerFailure) && FetchErrors.Translate(e, this, step, _stream, _deadline.IsCancellationRequested && !_callerToken.IsCancellationRequested) is { } failure)
        {
            throw failure;
        }
    }

    public Task RunAsync(string step, long allowance, Func<CancellationToken, Task> action) =>
        RunAsync(step, allowance, async token =>
        {
            await action(token).ConfigureAwait(false);
            return true;
        });

    /// <summary>What the caller's own code (message handler, checkpoint handler) threw: it passes unchanged.</summary>
    public Exception? CallerFailure { get; private set; }

    /// <summary>Runs the caller's code inside a protocol step, remembering its failure so it is not mistaken for the server's.</summary>
    public async Task InvokeCallerAsync(Func<Task> callback)
    {
        try
        {
            await callback().ConfigureAwait(false);
        }
        catch (Exception e)
        {
            CallerFailure = e;
            throw;
        }
    }

    /// <summary>The last complete line the server sent (MailKit keeps it off its exceptions).</summary>
    public string? LastServerLine => (Client.ProtocolLogger as MailKitProtocolLog)?.LastServerLine;

    /// <summary>Ends the session politely (QUIT commits POP3 deletions); a server dropping the line here changes nothing delivered.</summary>
    public Task CloseAsync(bool mustSucceed) => RunAsync(Protocol == MailProtocol.Imap ? "LOGOUT" : "QUIT", ProtocolAllowance, async token =>
    {
        try
        {
            await Client.DisconnectAsync(quit: true, token).ConfigureAwait(false);
        }
        catch (Exception e) when (!mustSucceed && e is ProtocolException or IOException or CommandException)
        {
            // Everything was delivered and checkpointed.
        }
    });

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        _linked.Dispose();
        _deadline.Dispose();
        if (_stream is not null) await _stream.DisposeAsync().ConfigureAwait(false);
    }
}
