using Azure;
using Azure.Security.KeyVault.Secrets;

namespace TokenBroker.Callers;

/// <summary>
/// Clients of a broker on Azure, one Key Vault secret each ("tbclient-{id}", value: the record with the secret's
/// hash, tagged so listings skip token secrets). Removing deletes the secret; soft delete keeps the name reserved,
/// which is harmless because ids are random.
/// </summary>
internal sealed class KeyVaultClientRegistry(SecretClient client) : IClientRegistry
{
    private const string NamePrefix = "tbclient-";
    private const string KindTag = "tokenbroker-kind";
    private const string KindValue = "client";

    public async Task<BrokerClient?> FindByIdAsync(string id, CancellationToken cancellationToken)
    {
        try
        {
            var secret = await client.GetSecretAsync(NamePrefix + id, cancellationToken: cancellationToken).ConfigureAwait(false);
            return secret.Value.Properties.Enabled == false ? null : BrokerClientJson.Deserialize(secret.Value.Value);
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return null;
        }
    }

    public async Task<IReadOnlyList<BrokerClient>> ListAsync(CancellationToken cancellationToken)
    {
        var clients = new List<BrokerClient>();
        await foreach (var properties in client.GetPropertiesOfSecretsAsync(cancellationToken).ConfigureAwait(false))
        {
            if (!properties.Name.StartsWith(NamePrefix, StringComparison.Ordinal) || properties.Enabled == false) continue;
            if (!properties.Tags.TryGetValue(KindTag, out var kind) || kind != KindValue) continue;
            if (await FindByIdAsync(properties.Name[NamePrefix.Length..], cancellationToken).ConfigureAwait(false) is { } found) clients.Add(found);
        }
        return clients.OrderBy(c => c.Name, StringComparer.OrdinalIgnoreCase).ToArray();
    }

    public async Task AddAsync(BrokerClient brokerClient, CancellationToken cancellationToken)
    {
        if ((await ListAsync(cancellationToken).ConfigureAwait(false)).Any(c => c.Name.Equals(brokerClient.Name, StringComparison.OrdinalIgnoreCase)))
            throw new ClientRegistryException($"A client named '{brokerClient.Name}' already exists; remove it first or choose another name.");
        var secret = new KeyVaultSecret(NamePrefix + brokerClient.Id, BrokerClientJson.Serialize(brokerClient));
        secret.Properties.ContentType = "application/vnd.tokenbroker.client+json";
        secret.Properties.Tags[KindTag] = KindValue;
        await client.SetSecretAsync(secret, cancellationToken).ConfigureAwait(false);
    }

    public async Task<bool> RemoveAsync(string name, CancellationToken cancellationToken)
    {
        var found = (await ListAsync(cancellationToken).ConfigureAwait(false))
            .FirstOrDefault(c => c.Name.Equals(name, StringComparison.OrdinalIgnoreCase));
        if (found is null) return false;
        await client.StartDeleteSecretAsync(NamePrefix + found.Id, cancellationToken).ConfigureAwait(false);
        return true;
    }
}
