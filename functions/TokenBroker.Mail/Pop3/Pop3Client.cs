using System.Text;
using TokenBroker.Mail.Net;

namespace TokenBroker.Mail.Pop3;

/// <summary>
/// A POP3 client (RFC 1939, CAPA/STLS from RFC 2449/2595, AUTH from RFC 5034). Each command lives in
/// its own partial file. Deletions take effect only when <see cref="QuitAsync"/> succeeds.
/// Failures: <see cref="MailProtocolException"/> (connection unusable), <see cref="MailCommandException"/>
/// (-ERR, with the reply), <see cref="MailAuthenticationException"/> (login refused).
/// </summary>
public sealed partial class Pop3Client : IAsyncDisposable
{
    private readonly MailConnection _connection;
    private readonly HashSet<string> _capabilities = new(StringComparer.OrdinalIgnoreCase);
    private string? _interrupted;

    internal Pop3Client(MailConnection connection) => _connection = connection;

    /// <summary>
    /// Connects, reads the greeting and, for pop3://, upgrades with STLS (refusing to go on without it);
    /// for pop3s:// TLS is already up. CAPA is read either way (a server without CAPA is tolerated). The
    /// client is then ready to authenticate.
    /// </summary>
    public static async Task<Pop3Client> ConnectAsync(MailEndpoint endpoint, MailClientOptions options, CancellationToken cancellationToken = default)
    {
        var client = await OpenAsync(endpoint, options, cancellationToken).ConfigureAwait(false);
        return await ClientSetup.CompleteAsync(client, async c =>
        {
            await c.TryCapaAsync(cancellationToken).ConfigureAwait(false);
            if (!c.IsEncrypted) await c.StlsAsync(cancellationToken).ConfigureAwait(false);
        }).ConfigureAwait(false);
    }

    /// <summary>Connects and reads the greeting only (TLS only for pop3s://): for a probe that shows each step.</summary>
    public static async Task<Pop3Client> OpenAsync(MailEndpoint endpoint, MailClientOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        if (endpoint.Protocol != MailProtocol.Pop3) throw new ArgumentException($"{endpoint} is not a POP3 endpoint.", nameof(endpoint));
        var connection = await MailConnection.ConnectAsync(endpoint, options, cancellationToken).ConfigureAwait(false);
        return await ClientSetup.CompleteAsync(new Pop3Client(connection), c => c.ReadGreetingAsync(cancellationToken)).ConfigureAwait(false);
    }

    public MailEndpoint Endpoint => _connection.Endpoint;

    /// <summary>The greeting text after +OK.</summary>
    public string Greeting { get; private set; } = string.Empty;

    /// <summary>The CAPA lines last read (e.g. "SASL XOAUTH2 OAUTHBEARER", "STLS", "UIDL").</summary>
    public IReadOnlyCollection<string> Capabilities => _capabilities;

    public bool IsAuthenticated { get; private set; }

    public bool IsEncrypted => _connection.IsEncrypted;

    /// <summary>Whether CAPA listed <paramref name="capability"/> (its first word, e.g. "STLS", "SASL").</summary>
    public bool HasCapability(string capability) =>
        _capabilities.Any(line => line.Split(' ')[0].Equals(capability, StringComparison.OrdinalIgnoreCase));

    /// <summary>Whether CAPA's SASL line lists <paramref name="mechanism"/>.</summary>
    public bool SupportsMechanism(string mechanism) =>
        _capabilities.Any(line => line.Split(' ') is ["SASL" or "sasl", .. var mechanisms]
            && mechanisms.Contains(mechanism, StringComparer.OrdinalIgnoreCase));

    internal async Task ReadGreetingAsync(CancellationToken cancellationToken = default)
    {
        var line = await ReadLineAsync(cancellationToken).ConfigureAwait(false);
        if (!line.StartsWith("+OK", StringComparison.OrdinalIgnoreCase))
            throw new MailProtocolException("The POP3 server refused the connection or is not a POP3 server.", line);
        Greeting = line.Length > 3 ? line[3..].TrimStart() : string.Empty;
    }

    /// <summary>Sends one command line and reads its status; -ERR throws (see <see cref="Pop3Errors"/>). Returns the text after +OK.</summary>
    internal async Task<string> ExecuteAsync(string command, CancellationToken cancellationToken)
    {
        if (_interrupted is not null)
            throw new MailProtocolException($"The POP3 session is unusable because {_interrupted}; reconnect.");
        await _connection.WriteLineAsync(command, cancellationToken).ConfigureAwait(false);
        var reply = await ReadLineAsync(cancellationToken).ConfigureAwait(false);
        return ExpectOk(CommandName(command), reply);
    }

    internal static string ExpectOk(string command, string reply)
    {
        if (reply.StartsWith("+OK", StringComparison.OrdinalIgnoreCase)) return reply.Length > 3 ? reply[3..].TrimStart() : string.Empty;
        if (reply.StartsWith("-ERR", StringComparison.OrdinalIgnoreCase)) throw Pop3Errors.CommandFailed(command, reply);
        throw new MailProtocolException($"Expected +OK or -ERR after POP3 {command}.", reply);
    }

    internal Task<string> ReadLineAsync(CancellationToken cancellationToken) => _connection.ReadLineAsync(cancellationToken);

    /// <summary>The lines of a multi-line reply up to the terminating ".", dot-unstuffed.</summary>
    internal async Task<List<string>> ReadMultiLineAsync(CancellationToken cancellationToken)
    {
        var lines = new List<string>();
        while (true)
        {
            var line = await _connection.ReadLineAsync(cancellationToken).ConfigureAwait(false);
            if (line == ".") return lines;
            lines.Add(line.StartsWith('.') ? line[1..] : line);
        }
    }

    private static string CommandName(string command)
    {
        var space = command.IndexOf(' ');
        return space < 0 ? command : command[..space];
    }

    internal static string Shorten(string text) => text.Length <= 300 ? text : text[..300] + "...";

    public async ValueTask DisposeAsync() => await _connection.DisposeAsync().ConfigureAwait(false);
}
