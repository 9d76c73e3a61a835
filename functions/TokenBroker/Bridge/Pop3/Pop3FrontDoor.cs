using System.Diagnostics;
using TokenBroker.Bridge.Access;
using TokenBroker.Mail;
using TokenBroker.Mail.Net;
using TokenBroker.Mail.Relay;

namespace TokenBroker.Bridge.Pop3;

/// <summary>
/// The POP3 bridge before login: greeting, CAPA, STLS, USER/PASS, AUTH PLAIN, QUIT. A login with a valid bridge secret
/// opens the mail server, logs in there with XOAUTH2, gives the app the server's +OK and relays the rest untouched.
/// </summary>
public sealed class Pop3FrontDoor(BridgeEndpoint endpoint, BridgeLogin login, MailClientOptions upstreamOptions, BridgeOptions options, TimeProvider time)
{
    private const string Protocol = "pop3";
    private const int MaxCommandsBeforeLogin = 50;

    public async Task RunAsync(BridgeConnection app, CancellationToken cancellationToken)
    {
        var channel = app.Channel;
        await channel.WriteLineAsync("+OK TokenBroker mail bridge ready.", cancellationToken).ConfigureAwait(false);
        string? user = null;
        var failures = 0;
        for (var commands = 0; commands < MaxCommandsBeforeLogin; commands++)
        {
            var line = await channel.ReadLineAsync(cancellationToken).ConfigureAwait(false);
            if (line is null) return;
            var space = line.IndexOf(' ');
            var verb = (space < 0 ? line : line[..space]).ToUpperInvariant();
            var argument = space < 0 ? "" : line[(space + 1)..];
            bool? loggedIn = null;
            switch (verb)
            {
                case "CAPA":
                    await channel.WriteLineAsync("+OK Capability list follows", cancellationToken).ConfigureAwait(false);
                    if (LoginAllowed(app)) { await channel.WriteLineAsync("USER", cancellationToken).ConfigureAwait(false); await channel.WriteLineAsync("SASL PLAIN", cancellationToken).ConfigureAwait(false); }
                    if (app.CanStartTls) await channel.WriteLineAsync("STLS", cancellationToken).ConfigureAwait(false);
                    await channel.WriteLineAsync("UIDL", cancellationToken).ConfigureAwait(false);
                    await channel.WriteLineAsync("TOP", cancellationToken).ConfigureAwait(false);
                    await channel.WriteLineAsync(".", cancellationToken).ConfigureAwait(false);
                    break;
                case "QUIT":
                    await channel.WriteLineAsync("+OK Bye.", cancellationToken).ConfigureAwait(false);
                    return;
                case "STLS" when app.CanStartTls:
                    await channel.WriteLineAsync("+OK Begin TLS negotiation now.", cancellationToken).ConfigureAwait(false);
                    await app.StartTlsAsync(cancellationToken).ConfigureAwait(false);
                    break;
                case "USER" or "PASS" or "AUTH" when !LoginAllowed(app):
                    await channel.WriteLineAsync("-ERR [AUTH] Use STLS before logging in.", cancellationToken).ConfigureAwait(false);
                    break;
                case "USER" when argument.Length > 0:
                    user = argument;
                    await channel.WriteLineAsync("+OK Send the bridge secret with PASS.", cancellationToken).ConfigureAwait(false);
                    break;
                case "PASS" when user is not null:
                    loggedIn = await LoginAsync(app, user, argument, cancellationToken).ConfigureAwait(false);
                    user = null;
                    break;
                case "AUTH" when argument.Length == 0:
                    await channel.WriteLineAsync("+OK", cancellationToken).ConfigureAwait(false);
                    await channel.WriteLineAsync("PLAIN", cancellationToken).ConfigureAwait(false);
                    await channel.WriteLineAsync(".", cancellationToken).ConfigureAwait(false);
                    break;
                case "AUTH" when argument.Split(' ', 2) is [var mechanism, ..] && mechanism.Equals("PLAIN", StringComparison.OrdinalIgnoreCase):
                    var parts = argument.Split(' ', 2);
                    string? response = parts.Length == 2 ? parts[1] : null;
                    if (response is null)
                    {
                        await channel.WriteLineAsync("+ ", cancellationToken).ConfigureAwait(false);
                        response = await channel.ReadLineAsync(cancellationToken).ConfigureAwait(false);
                        if (response is null) return;
                    }
                    if (response == "*") { await channel.WriteLineAsync("-ERR AUTH cancelled.", cancellationToken).ConfigureAwait(false); break; }
                    if (!SaslPlain.TryDecode(response, out var plainUser, out var secret))
                    {
                        await channel.WriteLineAsync("-ERR Invalid SASL PLAIN response.", cancellationToken).ConfigureAwait(false);
                        break;
                    }
                    loggedIn = await LoginAsync(app, plainUser, secret, cancellationToken).ConfigureAwait(false);
                    break;
                case "AUTH":
                    await channel.WriteLineAsync("-ERR The bridge accepts AUTH PLAIN or USER/PASS with the app's bridge secret.", cancellationToken).ConfigureAwait(false);
                    break;
                default:
                    await channel.WriteLineAsync("-ERR Log in first (USER/PASS or AUTH PLAIN).", cancellationToken).ConfigureAwait(false);
                    break;
            }
            if (loggedIn == true) return;
            if (loggedIn == false && ++failures >= options.MaxFailedLogins) return;
        }
    }

    private bool LoginAllowed(BridgeConnection app) => app.IsTls || endpoint.PlaintextLoginAllowed;

    /// <summary>True when the session was relayed (and is now over); false when the login was refused.</summary>
    private async Task<bool> LoginAsync(BridgeConnection app, string user, string secret, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var result = await login.LoginAsync(user, secret, Protocol, cancellationToken).ConfigureAwait(false);
        var channel = app.Channel;
        if (result.Outcome != BridgeLoginOutcome.Accepted)
        {
            var code = result.Outcome == BridgeLoginOutcome.Unavailable ? "SYS/TEMP" : "AUTH";
            await channel.WriteLineAsync($"-ERR [{code}] {BridgeConnection.OneLine(BridgeLogin.Explain(result))}", cancellationToken).ConfigureAwait(false);
            return false;
        }
        UpstreamSession server;
        try
        {
            server = await Pop3UpstreamLogin.OpenAsync(endpoint.Upstream, upstreamOptions, result.Token!.User, result.Token.AccessToken, cancellationToken).ConfigureAwait(false);
        }
        catch (MailAuthenticationException refused)
        {
            await login.ServerRefusedAsync(result, Protocol, refused.ServerReply ?? refused.Message, cancellationToken).ConfigureAwait(false);
            var code = refused.IsTransient ? "SYS/TEMP" : "AUTH";
            await channel.WriteLineAsync($"-ERR [{code}] {BridgeConnection.OneLine($"The mail server refused the token of {result.Mailbox}: {refused.ServerReply}")}", cancellationToken).ConfigureAwait(false);
            return false;
        }
        catch (MailProtocolException broken)
        {
            await login.Activity.LoginRefusedAsync(result with { Reason = broken.Message }, Protocol, "server-unreachable", cancellationToken).ConfigureAwait(false);
            await channel.WriteLineAsync($"-ERR [SYS/TEMP] {BridgeConnection.OneLine($"The bridge could not log in to the mail server: {broken.Message}")}", cancellationToken).ConfigureAwait(false);
            return false;
        }
        await using (server.ConfigureAwait(false))
        {
            login.Accepted(result, Protocol, started);
            await channel.WriteLineAsync(server.LoginReply[^1], cancellationToken).ConfigureAwait(false);
            await BridgeRelay.RunAsync(app, server, options, time, cancellationToken).ConfigureAwait(false);
        }
        return true;
    }
}
