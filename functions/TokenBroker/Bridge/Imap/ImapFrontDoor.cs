using System.Diagnostics;
using System.Text;
using TokenBroker.Bridge.Access;
using TokenBroker.Mail;
using TokenBroker.Mail.Net;
using TokenBroker.Mail.Relay;

namespace TokenBroker.Bridge.Imap;

/// <summary>
/// The IMAP bridge before login: greeting, CAPABILITY, NOOP, ID, STARTTLS, LOGOUT, LOGIN and AUTHENTICATE PLAIN.
/// A login with a valid bridge secret opens the mail server, logs in there with XOAUTH2 under the app's tag, hands the
/// server's answer to the app and relays the rest of the session untouched (IDLE, literals, large messages).
/// </summary>
public sealed class ImapFrontDoor(BridgeEndpoint endpoint, BridgeLogin login, MailClientOptions upstreamOptions, BridgeOptions options, TimeProvider time)
{
    private const string Protocol = "imap";
    private const int MaxCommandsBeforeLogin = 50;

    public async Task RunAsync(BridgeConnection app, CancellationToken cancellationToken)
    {
        var channel = app.Channel;
        await channel.WriteLineAsync($"* OK [CAPABILITY {Capabilities(app)}] TokenBroker mail bridge ready.", cancellationToken).ConfigureAwait(false);
        var failures = 0;
        for (var commands = 0; commands < MaxCommandsBeforeLogin; commands++)
        {
            ImapCommand? command;
            try
            {
                command = await ImapCommandReader.ReadAsync(channel, cancellationToken).ConfigureAwait(false);
            }
            catch (FormatException bad)
            {
                await channel.WriteLineAsync($"* BAD {bad.Message}", cancellationToken).ConfigureAwait(false);
                continue;
            }
            if (command is null) return;
            var tag = command.Tag;
            switch (command.Name)
            {
                case "CAPABILITY":
                    await channel.WriteLineAsync($"* CAPABILITY {Capabilities(app)}", cancellationToken).ConfigureAwait(false);
                    await channel.WriteLineAsync($"{tag} OK CAPABILITY completed.", cancellationToken).ConfigureAwait(false);
                    break;
                case "NOOP":
                    await channel.WriteLineAsync($"{tag} OK NOOP completed.", cancellationToken).ConfigureAwait(false);
                    break;
                case "ID":
                    await channel.WriteLineAsync("* ID (\"name\" \"TokenBroker bridge\")", cancellationToken).ConfigureAwait(false);
                    await channel.WriteLineAsync($"{tag} OK ID completed.", cancellationToken).ConfigureAwait(false);
                    break;
                case "LOGOUT":
                    await channel.WriteLineAsync("* BYE TokenBroker mail bridge logging out.", cancellationToken).ConfigureAwait(false);
                    await channel.WriteLineAsync($"{tag} OK LOGOUT completed.", cancellationToken).ConfigureAwait(false);
                    return;
                case "STARTTLS" when app.CanStartTls:
                    await channel.WriteLineAsync($"{tag} OK Begin TLS negotiation now.", cancellationToken).ConfigureAwait(false);
                    await app.StartTlsAsync(cancellationToken).ConfigureAwait(false);
                    break;
                case "LOGIN" or "AUTHENTICATE" when !app.IsTls && !endpoint.PlaintextLoginAllowed:
                    await channel.WriteLineAsync($"{tag} NO [PRIVACYREQUIRED] Use STARTTLS before logging in.", cancellationToken).ConfigureAwait(false);
                    break;
                case "LOGIN" when command.Arguments.Count == 2:
                    if (await LoginAsync(app, tag, command.Arguments[0], command.Arguments[1], cancellationToken).ConfigureAwait(false)) return;
                    if (++failures >= options.MaxFailedLogins) { await ByeAsync(channel, cancellationToken).ConfigureAwait(false); return; }
                    break;
                case "AUTHENTICATE" when command.Arguments.Count is 1 or 2 && command.Arguments[0].Equals("PLAIN", StringComparison.OrdinalIgnoreCase):
                    var plain = command.Arguments.Count == 2 ? command.Arguments[1] : await PromptAsync(channel, cancellationToken).ConfigureAwait(false);
                    if (plain is null) return;
                    if (plain == "*") { await channel.WriteLineAsync($"{tag} BAD AUTHENTICATE cancelled.", cancellationToken).ConfigureAwait(false); break; }
                    if (!SaslPlain.TryDecode(plain, out var user, out var secret))
                    {
                        await channel.WriteLineAsync($"{tag} BAD Invalid SASL PLAIN response.", cancellationToken).ConfigureAwait(false);
                        break;
                    }
                    if (await LoginAsync(app, tag, user, secret, cancellationToken).ConfigureAwait(false)) return;
                    if (++failures >= options.MaxFailedLogins) { await ByeAsync(channel, cancellationToken).ConfigureAwait(false); return; }
                    break;
                case "AUTHENTICATE":
                    await channel.WriteLineAsync($"{tag} NO [CANNOT] The bridge accepts AUTHENTICATE PLAIN or LOGIN with the app's bridge secret.", cancellationToken).ConfigureAwait(false);
                    break;
                default:
                    await channel.WriteLineAsync($"{tag} BAD Log in first (LOGIN or AUTHENTICATE PLAIN).", cancellationToken).ConfigureAwait(false);
                    break;
            }
        }
        await ByeAsync(channel, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>True when the session was relayed (and is now over); false when the login was refused.</summary>
    private async Task<bool> LoginAsync(BridgeConnection app, string tag, string user, string secret, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var result = await login.LoginAsync(user, secret, Protocol, cancellationToken).ConfigureAwait(false);
        var channel = app.Channel;
        if (result.Outcome != BridgeLoginOutcome.Accepted)
        {
            var code = result.Outcome == BridgeLoginOutcome.Unavailable ? "UNAVAILABLE" : "AUTHENTICATIONFAILED";
            await channel.WriteLineAsync($"{tag} NO [{code}] {BridgeConnection.OneLine(BridgeLogin.Explain(result))}", cancellationToken).ConfigureAwait(false);
            return false;
        }
        UpstreamSession server;
        try
        {
            server = await ImapUpstreamLogin.OpenAsync(endpoint.Upstream, upstreamOptions, tag, result.Token!.User, result.Token.AccessToken, cancellationToken).ConfigureAwait(false);
        }
        catch (MailAuthenticationException refused)
        {
            await login.ServerRefusedAsync(result, Protocol, refused.ServerReply ?? refused.Message, cancellationToken).ConfigureAwait(false);
            var code = refused.IsTransient ? "UNAVAILABLE" : "AUTHENTICATIONFAILED";
            await channel.WriteLineAsync($"{tag} NO [{code}] {BridgeConnection.OneLine($"The mail server refused the token of {result.Mailbox}: {refused.ServerReply}")}", cancellationToken).ConfigureAwait(false);
            return false;
        }
        catch (MailProtocolException broken)
        {
            await login.Activity.LoginRefusedAsync(result with { Reason = broken.Message }, Protocol, "server-unreachable", cancellationToken).ConfigureAwait(false);
            await channel.WriteLineAsync($"{tag} NO [UNAVAILABLE] {BridgeConnection.OneLine($"The bridge could not log in to the mail server: {broken.Message}")}", cancellationToken).ConfigureAwait(false);
            return false;
        }
        await using (server.ConfigureAwait(false))
        {
            login.Accepted(result, Protocol, started);
            await channel.WriteAsync(Encoding.UTF8.GetBytes(string.Concat(server.LoginReply.Select(line => line + "\r\n"))), cancellationToken).ConfigureAwait(false);
            await BridgeRelay.RunAsync(app, server, options, time, cancellationToken).ConfigureAwait(false);
        }
        return true;
    }

    private static async Task<string?> PromptAsync(LineChannel channel, CancellationToken cancellationToken)
    {
        await channel.WriteLineAsync("+ ", cancellationToken).ConfigureAwait(false);
        return await channel.ReadLineAsync(cancellationToken).ConfigureAwait(false);
    }

    private static Task ByeAsync(LineChannel channel, CancellationToken cancellationToken) =>
        channel.WriteLineAsync("* BYE Too many failed or unknown commands before login.", cancellationToken);

    private string Capabilities(BridgeConnection app)
    {
        var words = new List<string> { "IMAP4rev1", "SASL-IR", "ID" };
        if (app.CanStartTls) words.Add("STARTTLS");
        if (app.IsTls || endpoint.PlaintextLoginAllowed) words.Add("AUTH=PLAIN");
        else words.Add("LOGINDISABLED");
        return string.Join(' ', words);
    }
}
