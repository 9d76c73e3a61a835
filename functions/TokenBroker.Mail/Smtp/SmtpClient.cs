using TokenBroker.Mail.Net;

namespace TokenBroker.Mail.Smtp;

/// <summary>
/// An SMTP submission client (RFC 5321, STARTTLS 3207, AUTH 4954, PIPELINING 2920, enhanced status
/// codes 3463): connect, authenticate once, send many messages over the same connection, quit.
/// One operation at a time. Refusals become <see cref="SmtpCommandException"/> (connection still
/// usable), authentication failures <see cref="MailAuthenticationException"/>, and a broken connection
/// <see cref="MailProtocolException"/> (reconnect).
/// </summary>
public sealed partial class SmtpClient(MailClientOptions? options = null) : IAsyncDisposable
{
    private readonly MailClientOptions _options = options ?? new MailClientOptions();
    private MailConnection? _connection;

    public SmtpCapabilities Capabilities { get; private set; } = SmtpCapabilities.None;

    /// <summary>The server's greeting (the 220 reply at connect).</summary>
    public SmtpReply? Greeting { get; private set; }

    public bool IsConnected => _connection is { IsUsable: true };

    public bool IsAuthenticated { get; private set; }

    public bool IsEncrypted => _connection is { IsEncrypted: true };

    /// <summary>Connects, reads the greeting, says EHLO (HELO when EHLO is unknown) and, for smtp://,
    /// upgrades with STARTTLS and says EHLO again. A server that does not offer STARTTLS on smtp:// is
    /// refused: nothing is ever sent in plaintext past EHLO.</summary>
    public async Task ConnectAsync(MailEndpoint endpoint, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        if (endpoint.Protocol != MailProtocol.Smtp)
            throw new ArgumentException($"{endpoint} is not an SMTP endpoint (use smtp:// or smtps://).", nameof(endpoint));
        var connection = await MailConnection.ConnectAsync(endpoint, _options, cancellationToken).ConfigureAwait(false);
        await ConnectAsync(connection, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Runs the opening dialogue over a connection made elsewhere (tests, or a custom transport).</summary>
    internal async Task ConnectAsync(MailConnection connection, CancellationToken cancellationToken)
    {
        if (_connection is not null)
            throw new InvalidOperationException("This SmtpClient is already connected; quit first or use another SmtpClient.");
        _connection = connection;
        try
        {
            var greeting = await ReadReplyAsync(cancellationToken).ConfigureAwait(false);
            if (greeting.Code != 220)
                throw greeting.IsSuccess || greeting.IsIntermediate
                    ? SmtpErrors.Unexpected(greeting, SmtpStep.Connect)
                    : SmtpErrors.CommandFailed(greeting, SmtpStep.Connect);
            Greeting = greeting;
            await HelloAsync(allowHeloFallback: true, cancellationToken).ConfigureAwait(false);

            if (connection.Endpoint.Security == MailSecurity.StartTls && !connection.IsEncrypted)
            {
                if (!Capabilities.StartTls)
                    throw new MailProtocolException($"{connection.Endpoint} does not offer STARTTLS; refusing to continue without TLS (use smtps:// if the server speaks implicit TLS).");
                var reply = await CommandAsync("STARTTLS", cancellationToken).ConfigureAwait(false);
                if (reply.Code != 220)
                    throw SmtpErrors.CommandFailed(reply, SmtpStep.StartTls);
                await connection.StartTlsAsync(cancellationToken).ConfigureAwait(false);
                // RFC 3207 §4.2: forget everything learnt before TLS and ask again.
                await HelloAsync(allowHeloFallback: false, cancellationToken).ConfigureAwait(false);
            }
        }
        catch
        {
            await DisconnectAsync().ConfigureAwait(false);
            throw;
        }
    }

    private async Task HelloAsync(bool allowHeloFallback, CancellationToken cancellationToken)
    {
        var reply = await CommandAsync("EHLO " + _options.ClientName, cancellationToken).ConfigureAwait(false);
        if (reply.IsSuccess)
        {
            Capabilities = SmtpCapabilities.FromEhloReply(reply);
            return;
        }
        // 500/502: an RFC 821 server that does not know EHLO (RFC 5321 §3.2).
        if (allowHeloFallback && reply.Code is 500 or 502)
        {
            reply = await CommandAsync("HELO " + _options.ClientName, cancellationToken).ConfigureAwait(false);
            if (reply.IsSuccess)
            {
                Capabilities = SmtpCapabilities.None;
                return;
            }
        }
        throw SmtpErrors.CommandFailed(reply, SmtpStep.Helo);
    }

    /// <summary>Checks the connection is alive (NOOP → 250).</summary>
    public async Task NoOpAsync(CancellationToken cancellationToken = default)
    {
        var reply = await CommandAsync("NOOP", cancellationToken).ConfigureAwait(false);
        if (!reply.IsSuccess)
            throw SmtpErrors.CommandFailed(reply, SmtpStep.Noop);
    }

    /// <summary>Aborts the current mail transaction (RSET → 250).</summary>
    public async Task ResetAsync(CancellationToken cancellationToken = default)
    {
        var reply = await CommandAsync("RSET", cancellationToken).ConfigureAwait(false);
        if (!reply.IsSuccess)
            throw SmtpErrors.CommandFailed(reply, SmtpStep.Reset);
    }

    /// <summary>Says QUIT and closes the connection. A server that hangs up without the 221 is fine.</summary>
    public async Task QuitAsync(CancellationToken cancellationToken = default)
    {
        if (_connection is { IsUsable: true })
        {
            try
            {
                await CommandAsync("QUIT", cancellationToken).ConfigureAwait(false);
            }
            catch (MailProtocolException)
            {
                // The server closed first: the session is over either way.
            }
        }
        await DisconnectAsync().ConfigureAwait(false);
    }

    public ValueTask DisposeAsync() => new(DisconnectAsync());

    private async Task DisconnectAsync()
    {
        var connection = _connection;
        _connection = null;
        IsAuthenticated = false;
        Capabilities = SmtpCapabilities.None;
        if (connection is not null)
            await connection.DisposeAsync().ConfigureAwait(false);
    }

    private MailConnection Connection =>
        _connection is { IsUsable: true } connection
            ? connection
            : throw new InvalidOperationException(_connection is null
                ? "The SmtpClient is not connected; call ConnectAsync first."
                : "The SMTP connection is broken; quit and connect again.");

    private async Task<SmtpReply> CommandAsync(string line, CancellationToken cancellationToken)
    {
        await Connection.WriteLineAsync(line, cancellationToken).ConfigureAwait(false);
        return await ReadReplyAsync(cancellationToken).ConfigureAwait(false);
    }

    private Task<SmtpReply> ReadReplyAsync(CancellationToken cancellationToken) =>
        SmtpReplyReader.ReadAsync(Connection, cancellationToken);
}
