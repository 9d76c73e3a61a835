using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Identity.Client;

namespace TokenBroker.OAuth.Import;

/// <summary>
/// Connects a mailbox from a refresh token another tool already holds: MSAL's refresh-token migration API
/// (<see cref="IByRefreshToken.AcquireTokenByRefreshToken"/>) redeems it into a staged cache, then
/// <see cref="SignInCompletion"/> runs the consent checks and stores the result. Entra lets only the application a
/// refresh token was issued to redeem it, so rows issued to another client id are refused without a request.
/// </summary>
public sealed class RefreshTokenImport(ConfidentialClientFactory clients, SignInCompletion completion, IOptions<OAuthOptions> options, ILogger<RefreshTokenImport> logger)
{
    public const string How = "Connected from an imported refresh token";

    public async Task<ConsentOutcome> ImportAsync(ImportedMailbox row, CancellationToken cancellationToken = default)
    {
        var settings = options.Value;
        if (row.ClientId is { Length: > 0 } issuedTo && !string.Equals(issuedTo, settings.ClientId, StringComparison.OrdinalIgnoreCase))
            return ConsentOutcome.Problem(400, "The refresh token belongs to another application",
                $"It was issued to the application {issuedTo}, but the broker is {settings.ClientId}; Entra ID lets only the application a refresh token was issued to redeem it.",
                "Run the broker with that app registration (OAuth:ClientId and its credential), or connect the mailbox through consent (`tokenbroker consent invite` or `--device-code`).");
        var tenant = row.Tenant ?? settings.TenantId;
        if (string.IsNullOrWhiteSpace(tenant))
            return ConsentOutcome.Problem(400, "No tenant", "The row names no tenant and OAuth:TenantId is not set.");

        var target = new ConsentTarget(row.Address, row.DelegateAddress, row.Protocols);
        var (client, stagedCache) = await clients.CreateStagedAsync(tenant, cancellationToken).ConfigureAwait(false);
        AuthenticationResult result;
        try
        {
            result = await ((IByRefreshToken)client).AcquireTokenByRefreshToken(MailScopes.DelegatedScopes(row.Protocols), row.RefreshToken)
                .ExecuteAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception) when (IdentityProviderUnreachable.Matches(exception, cancellationToken))
        {
            return IdentityProviderUnreachable.Outcome(exception);
        }
        catch (MsalException exception)
        {
            var failure = TokenFailureClassifier.Classify(exception);
            logger.LogWarning("Import of {Mailbox}: the refresh token was refused ({Kind}, AADSTS{Code}, {Error}).", row.Address, failure.Kind, failure.AadstsCode, failure.Error);
            return ConsentOutcome.Problem(failure.Kind == TokenFailureKind.Transient ? 503 : 400,
                failure.Kind == TokenFailureKind.Transient ? "The identity provider is not answering" : "The identity provider refused the refresh token",
                failure.Reason, "Nothing was stored.");
        }
        return await completion.CompleteAsync(target, result.TenantId ?? tenant, result, stagedCache, How, cancellationToken).ConfigureAwait(false);
    }
}
