using System.Net.Sockets;
using Microsoft.Identity.Client;

namespace TokenBroker.OAuth;

/// <summary>
/// The one place that turns MSAL exceptions, identity-provider error replies and network errors into
/// what the broker does next. The refresh jobs use it as well as the front door.
/// </summary>
public static class TokenFailureClassifier
{
    private static readonly HashSet<int> ConsentCodes = [65001, 65004, 700082, 50173, 50133, 70008, 70043, 50076, 50079, 50126, 50034, 50020, 53003, 90094, 90095, 65002];
    private static readonly HashSet<int> CredentialCodes = [7000222, 7000215, 700027, 700016];

    public static TokenFailure Classify(Exception exception) => exception switch
    {
        MsalUiRequiredException ui => FromError(ui.ErrorCode, DescriptionOf(ui), statusCode: ui.StatusCode, uiRequired: true),
        MsalServiceException service => FromError(service.ErrorCode, DescriptionOf(service), service.StatusCode, uiRequired: false),
        MsalClientException client when client.ErrorCode is MsalError.RequestTimeout or "service_not_available"
            => new(TokenFailureKind.Transient, "The identity provider did not answer in time; the broker will retry.", Error: client.ErrorCode),
        MsalClientException client
            => new(TokenFailureKind.Failed, $"MSAL refused the request ({client.ErrorCode}): {client.Message}", Error: client.ErrorCode),
        HttpRequestException or SocketException or IOException
            => new(TokenFailureKind.Transient, $"The identity provider could not be reached ({exception.GetType().Name}: {exception.Message}); the broker will retry."),
        TaskCanceledException or TimeoutException
            => new(TokenFailureKind.Transient, "The identity provider did not answer in time; the broker will retry."),
        _ when exception.InnerException is { } inner && inner is HttpRequestException or SocketException or IOException or TimeoutException
            => Classify(inner),
        _ => new(TokenFailureKind.Failed, $"{exception.GetType().Name}: {exception.Message}"),
    };

    /// <summary>Classifies an error the identity provider sent (an OAuth "error" plus "error_description").</summary>
    public static TokenFailure FromError(string? error, string? description, int statusCode = 0, bool uiRequired = false)
    {
        var code = AadstsCatalog.FindCode(description);
        var described = code is { } c ? AadstsCatalog.Describe(c) : null;
        var reason = described ?? (code is not null ? FirstSentence(description) : null) ?? DescribeOAuthError(error)
            ?? $"The identity provider refused the request ({error ?? "no error code"}).";
        if (code is { } aadsts) reason = $"AADSTS{aadsts}: {reason}";

        TokenFailureKind kind;
        if (code == 54005) kind = TokenFailureKind.CallbackReplay;
        else if (code is { } x && CredentialCodes.Contains(x)) kind = TokenFailureKind.BrokenCredential;
        // One mailbox's token of the wrong client kind, not the broker's credential: only that mailbox is affected.
        else if (code == 700025) kind = TokenFailureKind.NeedsConsent;
        else if (error == "invalid_client") kind = TokenFailureKind.BrokenCredential;
        else if (statusCode is >= 500 or 429 || error is "temporarily_unavailable" or "server_error" or "service_not_available")
            kind = TokenFailureKind.Transient;
        else if ((code is { } y && ConsentCodes.Contains(y)) || uiRequired
                 || error is "invalid_grant" or "interaction_required" or "consent_required" or "login_required" or "access_denied" or "no_tokens_found" or "no_account_for_login_hint")
            kind = TokenFailureKind.NeedsConsent;
        else kind = TokenFailureKind.Failed;

        if (kind == TokenFailureKind.Transient && described is null)
            reason = $"The identity provider is having trouble (HTTP {statusCode}{(error is null ? "" : ", " + error)}); the broker will retry.";
        return new TokenFailure(kind, reason, code, error);
    }

    // MSAL puts the provider's error_description in Message; the raw body also carries the codes.
    private static string DescriptionOf(MsalServiceException exception) => exception.Message + "\n" + exception.ResponseBody;

    /// <summary>The provider's own words for a code the catalog lacks, without the "AADSTSnnn:" prefix and trace ids.</summary>
    private static string? FirstSentence(string? description)
    {
        if (string.IsNullOrWhiteSpace(description)) return null;
        var text = description.Split('\n')[0];
        var colon = text.IndexOf(':');
        if (text.StartsWith("AADSTS", StringComparison.Ordinal) && colon > 0) text = text[(colon + 1)..];
        var trace = text.IndexOf("Trace ID", StringComparison.Ordinal);
        if (trace > 0) text = text[..trace];
        text = text.Trim();
        return text.Length == 0 ? null : text.Length > 300 ? text[..300] + "…" : text;
    }

    private static string? DescribeOAuthError(string? error) => error switch
    {
        "access_denied" => "The sign-in was cancelled or the user declined to grant the broker access.",
        "consent_required" => "Consent is required for the requested permissions; a tenant administrator may have to grant it.",
        "interaction_required" or "login_required" => "The user must sign in again through a new consent link.",
        "invalid_grant" => "The grant (refresh token or authorization code) is no longer valid; sign in again through a new consent link.",
        "no_tokens_found" or "no_account_for_login_hint" => "The broker holds no tokens for this account; sign in again through a new consent link.",
        "invalid_client" => "The identity provider did not accept the broker's client credential (OAuth:ClientSecret or certificate). Every mailbox is affected.",
        "unauthorized_client" => "The app registration is not allowed to use this flow; check its platform settings (web, with this redirect address).",
        "invalid_scope" => "A requested permission does not exist or is not allowed for the app registration.",
        "temporarily_unavailable" or "server_error" => "The identity provider is temporarily unavailable; try again shortly.",
        _ => null,
    };
}
