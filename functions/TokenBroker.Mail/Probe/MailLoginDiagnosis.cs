using TokenBroker.Mail.Net;
using TokenBroker.Mail.Tokens;

namespace TokenBroker.Mail.Probe;

/// <summary>
/// Turns a failed probe into one sentence an operator can act on, from the step that failed, the
/// server's reply, its decoded challenge and the token's own claims (expiry, audience, scopes, user).
/// </summary>
public static class MailLoginDiagnosis
{
    private static readonly string[] ExchangeAudiences =
        ["https://outlook.office.com", "https://outlook.office365.com", "00000002-0000-0ff1-ce00-000000000000"];

    public static string? Explain(MailProbeResult result, AccessTokenClaims? claims, string user, DateTimeOffset now)
    {
        if (result.Succeeded) return null;
        var failed = result.FailedStep!;
        var error = failed.Error ?? "";
        var reply = result.AuthenticationReply ?? string.Join(" ", failed.ServerLines);
        var protocol = result.Endpoint.Protocol;

        if (MailThrottledException.TryParseBackoff(reply + " " + error, out var backoff))
            return $"The server is throttling this mailbox: retry after {DurationText.Of(backoff)} and use fewer connections.";
        if (failed.Name == "connect")
            return error.Contains("certificate", StringComparison.OrdinalIgnoreCase) || error.Contains("TLS", StringComparison.Ordinal)
                ? $"TLS with {result.Endpoint} failed: the server's certificate is not trusted or not for this host name (pass --ca-file for a private CA). {error}"
                : $"Could not reach {result.Endpoint}: check host, port and scheme (imaps 993, imap 143, pop3s 995, pop3 110, smtp 587, smtps 465). {error}";
        if (failed.Name.StartsWith("STARTTLS", StringComparison.Ordinal) || failed.Name.StartsWith("STLS", StringComparison.Ordinal)
            || error.Contains("STARTTLS", StringComparison.Ordinal) && !failed.Name.StartsWith("AUTH", StringComparison.Ordinal))
            return $"The server did not agree to TLS on {result.Endpoint}; try the implicit-TLS scheme ({Implicit(protocol)}). {error}";

        var authFailed = failed.Name.StartsWith("AUTH", StringComparison.Ordinal);
        if (!authFailed) return AfterLogin(protocol, failed, reply, error);
        if (reply.Contains("5.7.139", StringComparison.Ordinal))
            return "SMTP AUTH is disabled for this mailbox or tenant (535 5.7.139): enable it with Set-CASMailbox -SmtpClientAuthenticationDisabled $false (Security Defaults keep it off).";
        return TokenProblem(protocol, claims, user, now)
            ?? (result.SaslServerError is { } challenge
                ? $"The server refused a token whose claims look right ({challenge}): it may be signed by a key or issuer the server does not trust, or revoked. Server said: {reply}"
                : $"The server refused the login ({reply}). For Exchange Online check admin consent and, for app-only tokens, New-ServicePrincipal with the Enterprise Application's object id plus FullAccess on the mailbox.");
    }

    private static string? TokenProblem(MailProtocol protocol, AccessTokenClaims? claims, string user, DateTimeOffset now)
    {
        if (claims is null)
            return "The token is not a JWT, so its claims cannot be checked; get a fresh access token for https://outlook.office.com.";
        if (claims.ExpiresAt is { } exp && exp <= now)
            return $"The access token expired {DurationText.Of(now - exp)} ago ({exp.UtcDateTime:yyyy-MM-dd HH:mm:ss}Z): refresh it and retry.";
        if (claims.NotBefore is { } nbf && nbf > now.AddMinutes(5))
            return $"The access token is not valid before {nbf.UtcDateTime:yyyy-MM-dd HH:mm:ss}Z: check this machine's clock.";
        if (!claims.Audiences.Any(aud => ExchangeAudiences.Contains(aud.TrimEnd('/'), StringComparer.OrdinalIgnoreCase)))
            return $"Wrong audience {string.Join(' ', claims.Audiences)}: mail servers need a token for https://outlook.office.com (request https://outlook.office.com/{Scope(protocol, appOnly: false)}; a Microsoft Graph token is refused).";
        var (scope, role) = (Scope(protocol, appOnly: false), Scope(protocol, appOnly: true));
        if (!claims.Scopes.Contains(scope, StringComparer.OrdinalIgnoreCase) && !claims.Roles.Contains(role, StringComparer.OrdinalIgnoreCase))
            return claims.IsAppOnly
                ? $"The app-only token lacks the {role} role (has: {string.Join(' ', claims.Roles)}): grant it in the app registration and give admin consent."
                : $"The token lacks the {scope} scope (has: {string.Join(' ', claims.Scopes)}): request https://outlook.office.com/{scope} and consent to it.";
        if (!claims.IsAppOnly && claims.UserNames.Count > 0 && !claims.UserNames.Contains(user, StringComparer.OrdinalIgnoreCase))
            return $"The token belongs to {string.Join(" / ", claims.UserNames)} but the login is for {user}: log in as the token's user, or (Exchange) make sure {user} is a shared mailbox that user has FullAccess to.";
        return null;
    }

    private static string AfterLogin(MailProtocol protocol, MailProbeStep failed, string reply, string error)
    {
        if (reply.Contains("not connected", StringComparison.OrdinalIgnoreCase) || error.Contains("not connected", StringComparison.OrdinalIgnoreCase))
            return $"Login worked but the server refuses {protocol.ToString().ToUpperInvariant()} access to the mailbox: {protocol.ToString().ToUpperInvariant()} is disabled for it (Set-CASMailbox <mailbox> -{(protocol == MailProtocol.Pop3 ? "Pop" : "Imap")}Enabled $true) or the token's user has no access to it (FullAccess).";
        return $"Login worked but {failed.Name} failed: {error}";
    }

    private static string Scope(MailProtocol protocol, bool appOnly) => (protocol, appOnly) switch
    {
        (MailProtocol.Imap, false) => "IMAP.AccessAsUser.All",
        (MailProtocol.Imap, true) => "IMAP.AccessAsApp",
        (MailProtocol.Pop3, false) => "POP.AccessAsUser.All",
        (MailProtocol.Pop3, true) => "POP.AccessAsApp",
        (_, false) => "SMTP.Send",
        _ => "SMTP.SendAsApp",
    };

    private static string Implicit(MailProtocol protocol) => protocol switch
    {
        MailProtocol.Imap => "imaps://HOST:993",
        MailProtocol.Pop3 => "pop3s://HOST:995",
        _ => "smtps://HOST:465",
    };
}
