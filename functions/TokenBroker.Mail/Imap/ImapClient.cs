using TokenBroker.Mail.Imap.Wire;
using TokenBroker.Mail.Net;

namespace TokenBroker.Mail.Imap;

/// <summary>
/// An IMAP4 client (the RFC 9051/3501 subset Exchange Online and Dovecot share). One command runs at a
/// time; each command lives in its own partial file (ImapClient.Select.cs, ImapClient.Fetch.cs...).
/// Failures: <see cref="MailProtocolException"/> when the connection is unusable,
/// <see cref="MailCommandException"/> (or <see cref="MailThrottledException"/>) when a command failed,
/// <see cref="MailAuthenticationException"/> when login failed; all carry the server's reply.
/// </summary>
public sealed partial class ImapClient : IAsyncDisposable
{
    private const int LiteralFlushThreshold = 256 * 1024;

    private readonly MailConnection _connection;
    private readonly ImapFrameReader _reader;
    private readonly HashSet<string> _capabilities = new(StringComparer.OrdinalIgnoreCase);
    private int _lastTag;
    private ImapStatusResponse? _bye;
    private bool _awaitingCompletion;
    private string? _interrupted;

    internal ImapClient(MailConnection connection, ImapLimits? limits = null)
    {
        _connection = connection;
        _reader = new ImapFrameReader(connection, limits ?? ImapLimits.Default);
    }

    public MailEndpoint Endpoint => _connection.Endpoint;

    /// <summary>The server's greeting line.</summary>
    public ImapStatusResponse? Greeting { get; private set; }

    /// <summary>The capabilities last announced (greeting code, CAPABILITY, or the code on a login reply).</summary>
    public IReadOnlyCollection<string> Capabilities => _capabilities;

    public bool IsAuthenticated { get; private set; }

    public bool IsEncrypted => _connection.IsEncrypted;

    /// <summary>The mailbox chosen by the last successful SELECT or EXAMINE, kept current by EXISTS/EXPUNGE.</summary>
    public ImapMailbox? SelectedMailbox { get; private set; }

    public bool HasCapability(string capability) => _capabilities.Contains(capability);

    /// <summary>Reads the greeting of a freshly opened connection.</summary>
    internal async Task ReadGreetingAsync(CancellationToken cancellationToken = default)
    {
        var response = ImapResponse.Parse(await ReadFrameAsync(null, cancellationToken).ConfigureAwait(false));
        if (response.Kind != ImapResponseKind.Status || response.Status!.Tag is not null)
            throw new MailProtocolException("Expected an IMAP greeting.", response.Raw);
        var greeting = response.Status;
        if (greeting.Status is ImapStatus.Bye or ImapStatus.No or ImapStatus.Bad)
            throw new MailProtocolException($"The IMAP server refused the connection: {greeting}");
        Greeting = greeting;
        IsAuthenticated = greeting.Status == ImapStatus.Preauth;
        ApplyResponseCode(greeting);
    }

    /// <summary>
    /// Sends <paramref name="command"/> and reads until its tagged completion. Untagged data goes to the
    /// client's own state and then to <paramref name="onData"/>; continuation requests to
    /// <paramref name="onContinuation"/>. A NO or BAD completion throws (see <see cref="ImapErrors"/>).
    /// </summary>
    internal async Task<ImapStatusResponse> ExecuteAsync(
        ImapCommand command,
        Func<ImapResponse, ValueTask>? onData = null,
        ImapLiteralRouter? literalRouter = null,
        Func<ImapResponse, string, Task>? onContinuation = null,
        CancellationToken cancellationToken = default)
    {
        if (_interrupted is not null)
            throw new MailProtocolException($"The IMAP session is unusable because {_interrupted}; reconnect.");
        try
        {
            _awaitingCompletion = true;
            return await ExecuteCoreAsync(command, onData, literalRouter, onContinuation, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception) when (_awaitingCompletion)
        {
            // Stopped before the tagged completion (a callback threw, the caller cancelled, the line broke):
            // the rest of the responses are still on the wire, so no later command could read its own.
            _interrupted = $"{command.Name} was interrupted ({exception.GetType().Name}: {exception.Message})";
            throw;
        }
    }

    private async Task<ImapStatusResponse> ExecuteCoreAsync(
        ImapCommand command,
        Func<ImapResponse, ValueTask>? onData,
        ImapLiteralRouter? literalRouter,
        Func<ImapResponse, string, Task>? onContinuation,
        CancellationToken cancellationToken)
    {
        var tag = "A" + (++_lastTag).ToString(System.Globalization.CultureInfo.InvariantCulture);
        await SendAsync(tag, command, literalRouter, cancellationToken).ConfigureAwait(false);
        while (true)
        {
            var response = await ReadResponseAsync(literalRouter, onData, cancellationToken).ConfigureAwait(false);
            if (response.Kind == ImapResponseKind.Continuation)
            {
                if (onContinuation is null)
                    throw new MailProtocolException($"Unexpected continuation request during {command.Name}.", response.Raw);
                await onContinuation(response, tag).ConfigureAwait(false);
                continue;
            }
            if (response.Kind != ImapResponseKind.Status || response.Status!.Tag is null) continue;
            var completion = response.Status;
            if (!string.Equals(completion.Tag, tag, StringComparison.Ordinal))
                throw new MailProtocolException($"Completion for unknown tag {completion.Tag} while waiting for {tag} {command.Name}.", completion.ToString());
            _awaitingCompletion = false;
            ApplyResponseCode(completion);
            if (completion.Status != ImapStatus.Ok) throw ImapErrors.CommandFailed(command.Name, completion);
            return completion;
        }
    }

    /// <summary>Writes the tag, the command text and its literals (waiting for "+" unless LITERAL+ allows not to).</summary>
    private async Task SendAsync(string tag, ImapCommand command, ImapLiteralRouter? literalRouter, CancellationToken cancellationToken)
    {
        var line = tag + " ";
        foreach (var part in command.Build())
        {
            if (part.Text is not null)
            {
                line += part.Text;
                continue;
            }
            var synchronizing = !HasCapability("LITERAL+") && !(HasCapability("LITERAL-") && part.LiteralLength <= 4096);
            _connection.QueueLine(line + (synchronizing ? $"{{{part.LiteralLength}}}" : $"{{{part.LiteralLength}+}}"));
            if (synchronizing)
            {
                await _connection.FlushAsync(cancellationToken).ConfigureAwait(false);
                await WaitForContinuationAsync(tag, command, literalRouter, cancellationToken).ConfigureAwait(false);
            }
            await QueueLiteralAsync(part.Literal!, part.LiteralLength, cancellationToken).ConfigureAwait(false);
            line = string.Empty;
        }
        if (command.SecretArgument is { } secret)
        {
            await _connection.WriteSecretLineAsync(line, secret, cancellationToken).ConfigureAwait(false);
            return;
        }
        _connection.QueueLine(line);
        await _connection.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task WaitForContinuationAsync(string tag, ImapCommand command, ImapLiteralRouter? literalRouter, CancellationToken cancellationToken)
    {
        while (true)
        {
            var response = await ReadResponseAsync(literalRouter, null, cancellationToken).ConfigureAwait(false);
            if (response.Kind == ImapResponseKind.Continuation) return;
            if (response.Status is { Tag: { } completionTag } completion)
            {
                if (completionTag == tag && completion.Status != ImapStatus.Ok)
                {
                    _awaitingCompletion = false;
                    throw ImapErrors.CommandFailed(command.Name, completion);
                }
                throw new MailProtocolException($"Expected a continuation request for the literal of {command.Name}.", completion.ToString());
            }
        }
    }

    private async Task QueueLiteralAsync(Stream content, long length, CancellationToken cancellationToken)
    {
        _connection.Options.ProtocolLog?.Log(MailLogDirection.Client, $"<literal of {length} bytes>");
        var buffer = new byte[(int)Math.Min(Math.Max(length, 1), 64 * 1024)];
        for (var remaining = length; remaining > 0;)
        {
            var read = await content.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, remaining)), cancellationToken).ConfigureAwait(false);
            if (read == 0) throw new ArgumentException($"The literal's content ended {remaining} bytes before its announced length of {length}.");
            _connection.QueueBytes(buffer.AsSpan(0, read));
            if (_connection.QueuedByteCount >= LiteralFlushThreshold) await _connection.FlushAsync(cancellationToken).ConfigureAwait(false);
            remaining -= read;
        }
    }

    /// <summary>Reads one response and applies what every response may carry (capabilities, EXISTS, BYE...).</summary>
    private async Task<ImapResponse> ReadResponseAsync(ImapLiteralRouter? literalRouter, Func<ImapResponse, ValueTask>? onData, CancellationToken cancellationToken)
    {
        var response = ImapResponse.Parse(await ReadFrameAsync(literalRouter, cancellationToken).ConfigureAwait(false));
        switch (response.Kind)
        {
            case ImapResponseKind.Status when response.Status!.Tag is null:
                if (response.Status.Status == ImapStatus.Bye) _bye = response.Status;
                ApplyResponseCode(response.Status);
                break;
            case ImapResponseKind.Data:
                ApplyData(response);
                ImapResponse.ThrowIfFailed(response.Decoder);
                if (onData is not null) await onData(response).ConfigureAwait(false);
                ImapResponse.ThrowIfFailed(response.Decoder);
                break;
        }
        return response;
    }

    private async Task<ImapResponseFrame> ReadFrameAsync(ImapLiteralRouter? literalRouter, CancellationToken cancellationToken)
    {
        try
        {
            return await _reader.ReadAsync(literalRouter, cancellationToken).ConfigureAwait(false);
        }
        catch (MailProtocolException exception) when (_bye is not null)
        {
            throw new MailProtocolException($"The IMAP server ended the session: {_bye} ({exception.Message})", exception);
        }
    }

    private void ApplyData(ImapResponse response)
    {
        var decoder = response.Decoder;
        switch (response.Name)
        {
            case "CAPABILITY":
                _capabilities.Clear();
                while (decoder.SP() && decoder.ExpectAtom(out var capability, allowCloseBracket: true)) _capabilities.Add(capability);
                break;
            case "EXISTS" when SelectedMailbox is not null:
                SelectedMailbox.Exists = response.Number!.Value;
                break;
            case "EXPUNGE" when SelectedMailbox is not null:
                SelectedMailbox.Exists = Math.Max(1u, SelectedMailbox.Exists) - 1;
                break;
            case "FLAGS" when SelectedMailbox is not null:
                decoder.ExpectSP();
                decoder.ExpectFlagList(out var flags);
                SelectedMailbox.Flags = flags;
                break;
        }
    }

    private void ApplyResponseCode(ImapStatusResponse status)
    {
        switch (status.Code)
        {
            case "CAPABILITY":
                _capabilities.Clear();
                foreach (var capability in (status.CodeArguments ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries))
                    _capabilities.Add(capability);
                break;
            case "UIDVALIDITY" when SelectedMailbox is not null && uint.TryParse(status.CodeArguments, out var uidValidity):
                SelectedMailbox.UidValidity = uidValidity;
                break;
            case "UIDNEXT" when SelectedMailbox is not null && uint.TryParse(status.CodeArguments, out var uidNext):
                SelectedMailbox.UidNext = uidNext;
                break;
            case "READ-ONLY" when SelectedMailbox is not null:
                SelectedMailbox.IsReadOnly = true;
                break;
        }
    }

    public async ValueTask DisposeAsync() => await _connection.DisposeAsync().ConfigureAwait(false);
}
