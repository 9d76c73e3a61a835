namespace TokenBroker.Store;

/// <summary>
/// A stored value with the opaque version it was read at (a Key Vault secret version id, or an embedded row version).
/// Pass <see cref="Version"/> back as the expected version when saving, to detect a concurrent writer.
/// </summary>
public sealed record Versioned<T>(T Value, string Version);
