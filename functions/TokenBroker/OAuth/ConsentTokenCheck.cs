using System.Security.Claims;
using Microsoft.Identity.Client;
using TokenBroker.Mail.Tokens;
using TokenBroker.Store;

namespace TokenBroker.OAuth;

/// <summary>
/// The checks a freshly redeemed token must pass before the broker keeps it: the right person signed in,
/// the token is for Exchange Online, and it carries every scope the chosen protocols need.
/// </summary>
internal static class ConsentTokenCheck
{
    // Not "email": any user may set their own mail attribute, so it proves nothing about who signed in.
    private static readonly string[] IdTokenNameClaims = ["preferred_username", "upn", ClaimTypes.Upn];
    private static readonly string[] AccessTokenNameClaims = ["upn", "preferred_username", "unique_name"];

    /// <summary>Null when the token is acceptable; otherwise the page explaining why not.</summary>
    public static ConsentOutcome? Check(AuthenticationResult result, ConsentState state, Mailbox current) =>
        Check(result, ConsentTarget.Of(state), current);

    /// <summary>The same checks for a sign-in that did not come through the callback (device code, imported refresh token).</summary>
    public static ConsentOutcome? Check(AuthenticationResult result, ConsentTarget state, Mailbox current)
    {
        AccessTokenClaims claims;
        try
        {
            claims = AccessTokenClaims.Parse(result.AccessToken);
        }
        catch (Exception exception) when (exception is FormatException or System.Text.Json.JsonException)
        {
            return ConsentOutcome.Problem(400, "The access token cannot be read", exception.Message,
                "Exchange Online tokens are JWTs; check that OAuth:AuthorityHost points at Entra ID.");
        }
        return CheckSameAccount(result, state, current) ?? CheckAccount(result, claims, state) ?? CheckAudience(claims) ?? CheckScopes(claims, state);
    }

    /// <summary>
    /// A mailbox already connected through an account stays with that account (object id and tenant id, which no
    /// user can change), unless an admin's invitation names another delegate or allows replacing the account.
    /// </summary>
    private static ConsentOutcome? CheckSameAccount(AuthenticationResult result, ConsentTarget state, Mailbox current)
    {
        if (current.HomeAccountId is not { Length: > 0 } known || state.ReplaceAccount
            || !string.Equals(current.DelegateAddress, state.DelegateAddress, StringComparison.OrdinalIgnoreCase))
            return null;
        if (string.Equals(result.Account?.HomeAccountId?.Identifier, known, StringComparison.OrdinalIgnoreCase))
            return null;
        return ConsentOutcome.Problem(403, "Signed in with a different account",
            $"{current.Address} is connected through another account (a different object id or tenant) than the one that just signed in, even if the names match.",
            "Nothing was stored. Sign in with the account that connected the mailbox, or ask an administrator for an invitation that allows replacing the account (`tokenbroker consent invite --replace-account`).");
    }

    private static ConsentOutcome? CheckAccount(AuthenticationResult result, AccessTokenClaims claims, ConsentTarget state)
    {
        var signedIn = SignedInNames(result, claims);
        var accepted = new[] { state.Mailbox, state.DelegateAddress }.Where(a => a is not null).ToArray();
        if (signedIn.Any(name => accepted.Any(address => AddressInput.SameAddress(name, address))))
            return null;
        var expected = state.DelegateAddress ?? state.Mailbox;
        var who = signedIn.Count == 0 ? "an account that gave no user name" : string.Join(" / ", signedIn);
        return ConsentOutcome.Problem(403, "Signed in with the wrong account",
            $"You signed in as {who}, but this link was for {expected}" +
                (state.DelegateAddress is null ? "." : $" (the delegate of the shared mailbox {state.Mailbox})."),
            "Nothing was stored. Open a new consent link and sign in as " + expected + " (use a private window if the browser signs you in automatically).");
    }

    private static IReadOnlyList<string> SignedInNames(AuthenticationResult result, AccessTokenClaims claims)
    {
        var fromIdToken = result.ClaimsPrincipal?.Claims
            .Where(c => IdTokenNameClaims.Contains(c.Type) && !string.IsNullOrWhiteSpace(c.Value))
            .Select(c => c.Value)
            .ToList() ?? [];
        if (!string.IsNullOrWhiteSpace(result.Account?.Username)) fromIdToken.Add(result.Account.Username);
        // Without an id token the access token's own user claims are the only witness.
        var names = fromIdToken.Count > 0 ? fromIdToken
            : AccessTokenNameClaims.Select(claims.GetString).Where(n => !string.IsNullOrWhiteSpace(n)).Select(n => n!).ToList();
        return names.Distinct(StringComparer.OrdinalIgnoreCase).ToArray();
    }

    private static ConsentOutcome? CheckAudience(AccessTokenClaims claims)
    {
        var audience = claims.Audience?.TrimEnd('/');
        if (string.Equals(audience, MailScopes.ExchangeResource, StringComparison.OrdinalIgnoreCase)
            || string.Equals(audience, MailScopes.ExchangeAppId, StringComparison.OrdinalIgnoreCase))
            return null;
        var graph = audience is not null && (audience.Contains("graph.microsoft", StringComparison.OrdinalIgnoreCase) || audience == "00000003-0000-0000-c000-000000000000");
        return ConsentOutcome.Problem(400, "The token is not for Exchange Online",
            $"The identity provider issued a token for '{audience ?? "(no audience)"}' instead of {MailScopes.ExchangeResource}.",
            graph
                ? "A Microsoft Graph token makes IMAP/POP/SMTP answer \"AUTHENTICATE failed\" even though the sign-in worked: the mail permissions must be the Office 365 Exchange Online ones (https://outlook.office.com/...), not Graph's IMAP.AccessAsUser.All/SMTP.Send."
                : "Check that the app registration requests the Office 365 Exchange Online permissions.",
            "Nothing was stored.");
    }

    private static ConsentOutcome? CheckScopes(AccessTokenClaims claims, ConsentTarget state)
    {
        var granted = claims.Scopes.ToHashSet(StringComparer.OrdinalIgnoreCase);
        var missing = MailScopes.DelegatedScopeNames(state.Protocols).Where(scope => !granted.Contains(scope)).ToArray();
        if (missing.Length == 0) return null;
        var paragraphs = new List<string>
        {
            $"The token for {state.DelegateAddress ?? state.Mailbox} lacks {(missing.Length == 1 ? "a permission" : "permissions")} the requested protocols need; nothing was stored.",
        };
        paragraphs.AddRange(missing.Select(scope =>
            $"Missing {scope} (needed for {MailScopes.ProtocolOfScope(scope)}): add the delegated permission {scope} of \"Office 365 Exchange Online\" to the app registration's API permissions, grant admin consent if users may not consent, then open a new consent link."));
        paragraphs.Add($"Granted: {(granted.Count == 0 ? "(none)" : string.Join(" ", granted.Order(StringComparer.Ordinal)))}.");
        return new ConsentOutcome(403, "The sign-in did not grant every permission needed", paragraphs);
    }
}
