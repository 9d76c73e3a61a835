using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Identity.Client;
using TokenBroker.Store;

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

    /// <summary>Entra's "Client is public so neither 'client_assertion' nor 'client_secret' should be presented."</summary>
    private const int PublicClientPresentedCredential = 700025;

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

        // The file does not say how the token was issued: confidential first (what most tools and the broker itself
        // hold); Entra refuses a public client's token presented with a credential (AADSTS700025), then once more as public.
        var target = new ConsentTarget(row.Address, row.DelegateAddress, row.Protocols);
        return await RedeemAsync(target, tenant, row.RefreshToken, How, MailboxClientKind.Confidential, retryAsPublic: true, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Redeems a refresh token of the broker's app, issued to a client of <paramref name="clientKind"/>, into a staged cache and completes the sign-in for <paramref name="target"/>.</summary>
    /// <param name="how">What produced the token, for the log and a <c>mailbox.recovered</c> event.</param>
    public Task<ConsentOutcome> RedeemAsync(ConsentTarget target, string tenant, string refreshToken, string how, MailboxClientKind clientKind, CancellationToken cancellationToken = default) =>
        RedeemAsync(target, tenant, refreshToken, how, clientKind, retryAsPublic: false, cancellationToken);

    private async Task<ConsentOutcome> RedeemAsync(ConsentTarget target, string tenant, string refreshToken, string how, MailboxClientKind clientKind, bool retryAsPublic, CancellationToken cancellationToken)
    {
        var (client, stagedCache) = await clients.CreateStagedAsync(tenant, clientKind, cancellationToken).ConfigureAwait(false);
        AuthenticationResult result;
        try
        {
            result = await client.AcquireTokenByRefreshToken(MailScopes.DelegatedScopes(target.Protocols), refreshToken)
                .ExecuteAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception) when (IdentityProviderUnreachable.Matches(exception, cancellationToken))
        {
            return IdentityProviderUnreachable.Outcome(exception);
        }
        catch (MsalException exception)
        {
            var failure = TokenFailureClassifier.Classify(exception);
            if (retryAsPublic && clientKind == MailboxClientKind.Confidential && failure.AadstsCode == PublicClientPresentedCredential)
            {
                logger.LogInformation("{How} for {Mailbox}: the refresh token is a public client's (AADSTS{Code}); redeeming it as one.", how, target.Mailbox, failure.AadstsCode);
                return await RedeemAsync(target, tenant, refreshToken, how, MailboxClientKind.Public, retryAsPublic: false, cancellationToken).ConfigureAwait(false);
            }
            logger.LogWarning("{How} for {Mailbox}: the refresh token was refused ({Kind}, AADSTS{Code}, {Error}).", how, target.Mailbox, failure.Kind, failure.AadstsCode, failure.Error);
            return ConsentOutcome.Problem(failure.Kind == TokenFailureKind.Transient ? 503 : 400,
                failure.Kind == TokenFailureKind.Transient ? "The identity provider is not answering" : "The identity provider refused the refresh token",
                failure.Reason, "Nothing was stored.");
        }
        return await completion.CompleteAsync(target, tenant, result, stagedCache, clientKind, how, cancellationToken).ConfigureAwait(false);
    }
}
