using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using TokenBroker.Hosting.Configuration;

namespace TokenBroker.Callers;

/// <summary>
/// Who is calling: the client whose secret the request presents as a bearer (or in the Functions key header,
/// standalone), or the operator's master key (Broker:AdminKey). Nothing else counts: not the peer address, not a
/// proxy header, not the Host. The key never travels in a query string, where logs and browser history keep it.
/// </summary>
public sealed class CallerAuthenticator(IClientRegistry registry, IOptions<BrokerOptions> brokerOptions, EntraBearerValidator entra, TimeProvider timeProvider)
{
    private static readonly TimeSpan ListReloadAfter = TimeSpan.FromSeconds(5);
    private (IReadOnlyList<BrokerClient> Clients, DateTimeOffset LoadedAt)? _entraClients;

    public const string FunctionsKeyHeader = "x-functions-key";
    private const string MasterKeyName = "admin key (Broker:AdminKey)";
    private static readonly object ItemKey = new();

    /// <summary>The caller, or null when the request presents no valid credential (the sentence says why).</summary>
    public async Task<(Caller? Caller, string? Problem)> AuthenticateAsync(HttpContext context, CancellationToken cancellationToken)
    {
        if (context.Items.TryGetValue(ItemKey, out var known) && known is Caller cached) return (cached, null);
        var presented = PresentedSecret(context.Request);
        if (presented is null)
            return (null, "This endpoint needs a client credential: send 'Authorization: Bearer <secret>' (create one with `tokenbroker clients add`).");

        var caller = await FindAsync(presented, cancellationToken).ConfigureAwait(false);
        if (caller is null) return (null, "The credential sent is not valid (unknown, removed or mistyped client secret).");
        context.Items[ItemKey] = caller;
        return (caller, null);
    }

    /// <summary>The caller a secret typed into a form stands for (a client secret or the master key), or null.</summary>
    public Task<Caller?> FindBySecretAsync(string presented, CancellationToken cancellationToken) => FindAsync(presented, cancellationToken);

    private async Task<Caller?> FindAsync(string presented, CancellationToken cancellationToken)
    {
        if (brokerOptions.Value.AdminKey is { Length: > 0 } masterKey && SameSecret(presented, masterKey))
            return new Caller(MasterKeyName, MailboxScope.Everything, CallerOperations.All);
        if (entra.IsEnabled && EntraBearerValidator.LooksLikeJwt(presented))
            return await FindEntraCallerAsync(presented, cancellationToken).ConfigureAwait(false);
        if (!ClientSecret.TryParse(presented, out var id, out var random)) return null;
        var client = await registry.FindByIdAsync(id, cancellationToken).ConfigureAwait(false);
        return client is not null && ClientSecret.Matches(random, client.SecretHash)
            ? new Caller(client.Name, client.Mailboxes, client.Operations)
            : null;
    }

    private async Task<Caller?> FindEntraCallerAsync(string token, CancellationToken cancellationToken)
    {
        if (await entra.ObjectIdOfAsync(token, cancellationToken).ConfigureAwait(false) is not { } objectId) return null;
        var client = await FindByObjectIdAsync(objectId, reloaded: false, cancellationToken).ConfigureAwait(false);
        return client is null ? null : new Caller(client.Name, client.Mailboxes, client.Operations);
    }

    /// <summary>Clients are few: the list is kept and read again on a miss (at most every few seconds).</summary>
    private async Task<BrokerClient?> FindByObjectIdAsync(string objectId, bool reloaded, CancellationToken cancellationToken)
    {
        var now = timeProvider.GetUtcNow();
        var known = _entraClients;
        if (known is null || (!reloaded && now - known.Value.LoadedAt > ListReloadAfter))
        {
            known = (await registry.ListAsync(cancellationToken).ConfigureAwait(false), now);
            _entraClients = known;
            reloaded = true;
        }
        var found = known.Value.Clients.FirstOrDefault(c => string.Equals(c.EntraObjectId, objectId, StringComparison.OrdinalIgnoreCase));
        return found ?? (reloaded ? null : await FindByObjectIdAsync(objectId, reloaded: true, cancellationToken).ConfigureAwait(false));
    }

    private static string? PresentedSecret(HttpRequest request)
    {
        var authorization = request.Headers.Authorization.FirstOrDefault();
        if (authorization is not null && authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
            return authorization["Bearer ".Length..].Trim() is { Length: > 0 } bearer ? bearer : null;
        return request.Headers[FunctionsKeyHeader].FirstOrDefault() is { Length: > 0 } key ? key : null;
    }

    private static bool SameSecret(string presented, string expected) =>
        CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(presented)), SHA256.HashData(Encoding.UTF8.GetBytes(expected)));
}
