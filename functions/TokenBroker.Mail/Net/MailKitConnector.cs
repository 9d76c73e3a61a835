using System.Net.Sockets;
using MailKit;
using MailKit.Security;

namespace TokenBroker.Mail.Net;

/// <summary>
/// Opens MailKit clients the broker's way: TLS always (implicit, or STARTTLS/STLS that the server must
/// offer), certificates checked by <see cref="CertificateTrust"/> (system roots and/or the extra CA, names
/// and server-auth usage kept), <see cref="MailClientOptions.CommandTimeout"/> as MailKit's per-read/write
/// timeout, <see cref="MailClientOptions.ConnectTimeout"/> over the whole opening (TCP, TLS, greeting,
/// capabilities), and the redacting <see cref="MailKitProtocolLog"/>. Failures become
/// <see cref="MailProtocolException"/> or <see cref="MailCommandException"/> with the reason in words.
/// </summary>
public static class MailKitConnector
{
    public static MailKit.Net.Smtp.SmtpClient CreateSmtp(MailClientOptions options) =>
        Configure(new MailKit.Net.Smtp.SmtpClient(Log(options)) { LocalDomain = options.ClientName }, options);

    /// <summary>The broker's sending client (<see cref="Smtp.SubmissionClient"/>), configured like <see cref="CreateSmtp"/>.</summary>
    public static Smtp.SubmissionClient CreateSubmission(MailClientOptions options) =>
        Configure(new Smtp.SubmissionClient(Log(options)) { LocalDomain = options.ClientName }, options);

    public static MailKit.Net.Imap.ImapClient CreateImap(MailClientOptions options) =>
        Configure(new MailKit.Net.Imap.ImapClient(Log(options)), options);

    public static MailKit.Net.Pop3.Pop3Client CreatePop3(MailClientOptions options) =>
        Configure(new MailKit.Net.Pop3.Pop3Client(Log(options)), options);

    /// <summary>Connects <paramref name="client"/> to <paramref name="endpoint"/>; on failure the client is left disconnected.</summary>
    public static Task ConnectAsync(MailService client, MailEndpoint endpoint, MailClientOptions options, CancellationToken cancellationToken = default) =>
        ConnectAsync(client, endpoint, options, wrapStream: null, cancellationToken);

    /// <summary>
    /// Connects as above; with <paramref name="wrapStream"/> the TCP connection is opened here and MailKit talks
    /// through the stream it returns (below TLS), so a caller can watch or limit what the server sends.
    /// </summary>
    public static async Task ConnectAsync(MailService client, MailEndpoint endpoint, MailClientOptions options, Func<Stream, Stream>? wrapStream, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(endpoint);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var trust = new CertificateTrust(options);
        client.ServerCertificateValidationCallback = trust.Validate;
        var security = endpoint.Security == MailSecurity.ImplicitTls ? SecureSocketOptions.SslOnConnect : SecureSocketOptions.StartTls;
        using var timeout = new CancellationTokenSource(options.ConnectTimeout, options.TimeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            if (wrapStream is null)
            {
                await client.ConnectAsync(endpoint.Host, endpoint.Port, security, linked.Token).ConfigureAwait(false);
                return;
            }
            var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
            try
            {
                await socket.ConnectAsync(endpoint.Host, endpoint.Port, linked.Token).ConfigureAwait(false);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
            await client.ConnectAsync(wrapStream(new NetworkStream(socket, ownsSocket: true)), endpoint.Host, endpoint.Port, security, linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            await DisconnectQuietlyAsync(client).ConfigureAwait(false);
            throw new MailProtocolException($"Could not connect to {endpoint}: no answer within {options.ConnectTimeout.TotalSeconds:0.#} s.");
        }
        catch (Exception e) when (Describe(e, endpoint, trust) is { } failure)
        {
            await DisconnectQuietlyAsync(client).ConfigureAwait(false);
            throw failure;
        }
    }

    private static Exception? Describe(Exception e, MailEndpoint endpoint, CertificateTrust trust) => e switch
    {
        SslHandshakeException => new MailProtocolException($"The TLS handshake with {endpoint} failed: {trust.LastFailure ?? e.Message}", e),
        SocketException => new MailProtocolException($"Could not connect to {endpoint}: {e.Message}", e),
        NotSupportedException when endpoint.Security == MailSecurity.StartTls =>
            new MailProtocolException($"{endpoint} does not offer {(endpoint.Protocol == MailProtocol.Pop3 ? "STLS" : "STARTTLS")}; refusing to continue without TLS (use {endpoint.Scheme}s:// if the server speaks implicit TLS).", e),
        MailKit.Net.Smtp.SmtpCommandException smtp => new MailCommandException($"{endpoint} refused the connection: {(int)smtp.StatusCode} {smtp.Message}", $"{(int)smtp.StatusCode} {smtp.Message}", e),
        CommandException => new MailCommandException($"{endpoint} refused the connection: {e.Message}", e.Message, e),
        ProtocolException or IOException or TimeoutException => new MailProtocolException($"The connection to {endpoint} failed: {e.Message}", e),
        _ => null,
    };

    private static async Task DisconnectQuietlyAsync(MailService client)
    {
        try
        {
            if (client.IsConnected) await client.DisconnectAsync(quit: false).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or ProtocolException or ObjectDisposedException)
        {
            // The connection is being abandoned anyway.
        }
    }

    private static MailKitProtocolLog Log(MailClientOptions options) => new(options.ProtocolLog);

    private static T Configure<T>(T client, MailClientOptions options) where T : MailService
    {
        options.Validate();
        client.Timeout = (int)Math.Min(int.MaxValue, options.CommandTimeout.TotalMilliseconds);
        return client;
    }
}
