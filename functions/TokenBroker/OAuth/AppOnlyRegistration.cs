using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Identity.Client;
using TokenBroker.Mail.Tokens;
using TokenBroker.Store;

namespace TokenBroker.OAuth;

public sealed record AppOnlyRegistrationResult(Mailbox Mailbox, IReadOnlyList<string> Roles, string ExchangePowerShell);

/// <summary>The app-only registration was refused; <see cref="StatusCode"/> and the message are for the caller.</summary>
public sealed class AppOnlyRegistrationException(int statusCode, string message, IReadOnlyList<string>? missingRoles = null, Exception? innerException = null)
    : Exception(message, innerException)
{
    public int StatusCode { get; } = statusCode;
    public IReadOnlyList<string> MissingRoles { get; } = missingRoles ?? [];
}

/// <summary>
/// Connects a mailbox with client credentials (no browser): obtains an app-only token for the tenant, checks
/// that its roles cover the protocols, stores the mailbox Connected, and writes the Exchange PowerShell that
/// grants the service principal the mailbox.
/// </summary>
public sealed class AppOnlyRegistration(
    IMailboxRegistry registry,
    ConfidentialClientFactory clients,
    IOptions<OAuthOptions> options,
    TimeProvider timeProvider,
    ILogger<AppOnlyRegistration> logger)
{
    public async Task<AppOnlyRegistrationResult> RegisterAsync(string mailboxAddress, string tenantId, MailProtocols protocols, CancellationToken cancellationToken = default)
    {
        AuthenticationResult result;
        try
        {
            var client = await clients.GetAsync(tenantId, cancellationToken).ConfigureAwait(false);
            result = await client.AcquireTokenForClient([MailScopes.AppOnlyScope]).ExecuteAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (MsalException exception)
        {
            var failure = TokenFailureClassifier.Classify(exception);
            throw new AppOnlyRegistrationException(failure.IsTransient ? 503 : 400,
                $"No app-only token for tenant {tenantId}: {failure.Reason}", innerException: exception);
        }

        var claims = AccessTokenClaims.Parse(result.AccessToken);
        var audience = claims.Audience?.TrimEnd('/');
        if (audience is not ("https://outlook.office365.com" or MailScopes.ExchangeResource or MailScopes.ExchangeAppId))
            throw new AppOnlyRegistrationException(400,
                $"The app-only token for tenant {tenantId} is for '{audience ?? "(no audience)"}', not Office 365 Exchange Online; IMAP/POP/SMTP would refuse it (\"AUTHENTICATE failed\").");
        var missing = MailScopes.AppRoles(protocols).Except(claims.Roles, StringComparer.OrdinalIgnoreCase).ToArray();
        if (missing.Length > 0)
        {
            throw new AppOnlyRegistrationException(403,
                $"The app-only token for tenant {tenantId} lacks {string.Join(", ", missing)}: add {(missing.Length == 1 ? "this application permission" : "these application permissions")} " +
                "of \"Office 365 Exchange Online\" to the app registration's API permissions and grant admin consent for the tenant, then register again.",
                missing);
        }

        var now = timeProvider.GetUtcNow();
        Versioned<Mailbox> saved;
        for (var attempt = 1; ; attempt++)
        {
            var current = await registry.GetAsync(mailboxAddress, cancellationToken).ConfigureAwait(false);
            var mailbox = (current?.Value ?? new Mailbox(mailboxAddress, tenantId, MailboxMode.AppOnly, protocols, null, MailboxState.Connected, null,
                now, now, null, null, null, null, [], null)) with
            {
                TenantId = claims.TenantId ?? tenantId,
                Mode = MailboxMode.AppOnly,
                Protocols = protocols,
                DelegateAddress = null,
                State = MailboxState.Connected,
                StateReason = null,
                LastError = null,
                UpdatedAt = now,
                LastRefreshAt = now,
                AccessTokenExpiresAt = TokenExpiry.Of(result),
                HomeAccountId = null,
                GrantedScopes = claims.Roles,
                PendingConsent = null,
            };
            try
            {
                saved = await registry.SaveAsync(mailbox, current?.Version, cancellationToken).ConfigureAwait(false);
                break;
            }
            catch (StoreConcurrencyException) when (attempt < 3)
            {
            }
        }

        logger.LogInformation("Mailbox {Mailbox} registered app-only ({Protocols}) in tenant {Tenant}.", mailboxAddress, MailScopes.Describe(protocols), saved.Value.TenantId);
        var script = ExchangePowerShellScript.Generate(options.Value.ClientId!, mailboxAddress, protocols, claims.ObjectId);
        return new AppOnlyRegistrationResult(saved.Value, claims.Roles, script);
    }
}
