using Microsoft.Extensions.Logging;
using Microsoft.Identity.Client;
using TokenBroker.Store;

namespace TokenBroker.OAuth;

/// <summary>What the person at the terminal must do: open <paramref name="VerificationUrl"/> and enter <paramref name="UserCode"/>.</summary>
public sealed record DeviceCodePrompt(string VerificationUrl, string UserCode, DateTimeOffset ExpiresAt, string Message);

/// <summary>
/// Consent without a browser on the broker's machine (RFC 8628 device authorization grant through MSAL): the
/// identity provider hands out a code, someone enters it on any device and signs in, MSAL polls until then (or
/// until the code expires, or the caller cancels), and <see cref="SignInCompletion"/> runs the callback's checks.
/// </summary>
public sealed class DeviceCodeConsent(ConfidentialClientFactory clients, SignInCompletion completion, ILogger<DeviceCodeConsent> logger)
{
    public const string How = "Connected through a device code sign-in";

    /// <param name="showPrompt">Called once the code is issued; the sign-in is awaited after it returns.</param>
    public async Task<ConsentOutcome> RunAsync(ConsentTarget target, string tenantId, Func<DeviceCodePrompt, Task> showPrompt, CancellationToken cancellationToken = default)
    {
        var (client, stagedCache) = clients.CreateStagedPublic(tenantId);
        AuthenticationResult result;
        try
        {
            result = await client.AcquireTokenWithDeviceCode(MailScopes.DelegatedScopes(target.Protocols), code =>
                    showPrompt(new DeviceCodePrompt(code.VerificationUrl, code.UserCode, code.ExpiresOn, code.Message)))
                .ExecuteAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception) when (IdentityProviderUnreachable.Matches(exception, cancellationToken))
        {
            return IdentityProviderUnreachable.Outcome(exception);
        }
        catch (MsalException exception)
        {
            var failure = TokenFailureClassifier.Classify(exception);
            logger.LogWarning("Device code sign-in for {Mailbox} failed ({Kind}, AADSTS{Code}, {Error}).", target.Mailbox, failure.Kind, failure.AadstsCode, failure.Error);
            return ConsentOutcome.Problem(failure.Kind == TokenFailureKind.Transient ? 503 : 400, TitleFor(exception, failure), failure.Reason, "Nothing was stored.");
        }
        // MSAL's device code flow is a public client's: the refresh token must be redeemed without the broker's credential.
        return await completion.CompleteAsync(target, tenantId, result, stagedCache, MailboxClientKind.Public, How, cancellationToken).ConfigureAwait(false);
    }

    private static string TitleFor(MsalException exception, TokenFailure failure) => exception.ErrorCode switch
    {
        "code_expired" or "expired_token" => "The device code expired before anyone signed in",
        "authorization_declined" => "The sign-in was declined",
        _ when failure.Kind == TokenFailureKind.Transient => "The identity provider is not answering",
        _ => "The identity provider refused the sign-in",
    };
}
