using MailKit;
using MailKit.Net.Imap;
using MailKit.Net.Pop3;
using TokenBroker.Mail.Net;

namespace TokenBroker.Mail.Fetch;

/// <summary>
/// Turns what MailKit throws during a fetch into the broker's exceptions, in one place: a refused command
/// becomes <see cref="MailCommandException"/> ("IMAP SELECT failed: &lt;the server's line&gt;") or
/// <see cref="MailThrottledException"/>; a broken connection, a passed deadline, a silent server or one that
/// sends more than allowed becomes <see cref="MailProtocolException"/> saying which limit stopped it.
/// Exceptions that are already the broker's pass unchanged (null).
/// </summary>
internal static class FetchErrors
{
    public static Exception? Translate<TClient>(Exception e, FetchSession<TClient> session, string step, FetchStream? stream, bool deadlinePassed)
        where TClient : MailService
    {
        var name = session.Protocol.ToString().ToUpperInvariant();
        if (e is MailProtocolException or MailCommandException or MailAuthenticationException or MailMessageTooLargeException)
        {
            // Already in words; the limits below still explain a connection the connector saw break.
            if (e is not MailProtocolException || !(deadlinePassed || stream is { AllowanceExceeded: true } or { ReadTimedOut: true } || IsRefusal(session.Protocol, session.LastServerLine)))
                return null;
        }
        if (deadlinePassed)
            return new MailProtocolException(
                $"The {name} fetch from {session.Endpoint} did not finish within {session.Options.RunTimeout.TotalSeconds:0.#} s (RunTimeout); it stopped during {step}. " +
                "Delivered messages stay checkpointed; the next run goes on from there.", e);
        if (stream is { ReadTimedOut: true })
            return new MailProtocolException(
                $"{session.Endpoint} sent nothing for {stream.ReadTimeoutSpan.TotalSeconds:0.#} s during {step}; the connection was abandoned.", e);
        if (stream is { AllowanceExceeded: true })
            return new MailProtocolException(
                $"{session.Endpoint} sent more than {stream.Allowance} bytes for {step} (more than it announced, or over MaxMessageBytes = {session.Options.MaxMessageBytes}); " +
                "the connection was abandoned and nothing more was read.", e);
        var reply = session.LastServerLine ?? e.Message;
        if (e is MailProtocolException or ProtocolException or IOException && IsRefusal(session.Protocol, session.LastServerLine))
        {
            // The server refused and hung up (Dovecot: "-ERR [SYS/TEMP] …" when it cannot open the maildrop after
            // the login): its words matter more than the broken pipe that followed.
            return new MailCommandException($"{name} {step} failed: the server answered {Shorten(reply)} and closed the connection.", reply, e);
        }
        return e switch
        {
            FolderNotFoundException missing => new MailCommandException(
                $"IMAP LIST found no folder \"{missing.FolderName}\": the server lists no folder of that name ({reply}).", reply, e),
            ImapCommandException or Pop3CommandException when MailThrottledException.TryParseBackoff(reply, out var backoff) =>
                new MailThrottledException($"{name} {step} was throttled, retry after {backoff.TotalMilliseconds:0} ms: {reply}", reply, backoff),
            ImapCommandException or Pop3CommandException => new MailCommandException($"{name} {step} failed: {Shorten(reply)}", reply, e),
            ProtocolException or IOException or TimeoutException or System.Net.Sockets.SocketException =>
                new MailProtocolException($"The connection to {session.Endpoint} broke during {step}: {e.Message}", e),
            _ => null,
        };
    }

    private static bool IsRefusal(MailProtocol protocol, string? line) => line is not null && (protocol == MailProtocol.Pop3
        ? line.StartsWith("-ERR", StringComparison.OrdinalIgnoreCase)
        : System.Text.RegularExpressions.Regex.IsMatch(line, @"^(\*\s+BYE|\S+\s+(NO|BAD))\s", System.Text.RegularExpressions.RegexOptions.IgnoreCase));

    private static string Shorten(string text) => text.Length <= 300 ? text : text[..300] + "...";
}
