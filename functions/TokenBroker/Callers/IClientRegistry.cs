namespace TokenBroker.Callers;

/// <summary>Where the registered callers live: next to the tokens (Key Vault, or the embedded data folder).</summary>
public interface IClientRegistry
{
    Task<BrokerClient?> FindByIdAsync(string id, CancellationToken cancellationToken);

    Task<IReadOnlyList<BrokerClient>> ListAsync(CancellationToken cancellationToken);

    /// <summary>Adds a client; throws <see cref="ClientRegistryException"/> when the name is taken.</summary>
    Task AddAsync(BrokerClient client, CancellationToken cancellationToken);

    /// <summary>False when no client has this name.</summary>
    Task<bool> RemoveAsync(string name, CancellationToken cancellationToken);
}

/// <summary>A registry refusal whose message is the sentence to show.</summary>
public sealed class ClientRegistryException(string message) : Exception(message);
