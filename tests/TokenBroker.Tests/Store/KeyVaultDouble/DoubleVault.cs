using System.Text.RegularExpressions;

namespace TokenBroker.Tests.Store.KeyVaultDouble;

/// <summary>One secret version as Key Vault keeps it.</summary>
public sealed class DoubleSecretVersion
{
    public required string Version { get; init; }
    public required string Value { get; init; }
    public string? ContentType { get; set; }
    public Dictionary<string, string> Tags { get; set; } = new(StringComparer.Ordinal);
    public bool Enabled { get; set; } = true;
    public long? NotBefore { get; set; }
    public long? Expires { get; set; }
    public required long Created { get; init; }
    public long Updated { get; set; }
}

public sealed record DoubleDeletedSecret(List<DoubleSecretVersion> Versions, long DeletedDate, long ScheduledPurgeDate);

public sealed class DoubleVaultException(int status, string code, string message) : Exception(message)
{
    public int Status { get; } = status;
    public string Code { get; } = code;
}

/// <summary>
/// The state of the fake vault: live secrets (every version kept, the last is the latest) and soft-deleted ones.
/// Thread-safe; every method is one Key Vault operation.
/// </summary>
public sealed partial class DoubleVault(TimeProvider timeProvider)
{
    private readonly object _gate = new();
    // Sorted so that a listing page is a walk from the start, not a sort of the whole vault per page.
    private readonly SortedDictionary<string, List<DoubleSecretVersion>> _live = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, DoubleDeletedSecret> _deleted = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, int> _putCounts = new(StringComparer.OrdinalIgnoreCase);

    public int RecoverableDays { get; set; } = 90;

    public DoubleSecretVersion Set(string name, string value, string? contentType, Dictionary<string, string>? tags, bool enabled = true)
    {
        ValidateName(name);
        lock (_gate)
        {
            _putCounts[name] = _putCounts.GetValueOrDefault(name) + 1;
            if (_deleted.ContainsKey(name))
                throw new DoubleVaultException(409, "Conflict",
                    $"Secret {name} is currently in a deleted but recoverable state, and its name cannot be reused; in this state, the secret can only be recovered or purged.");
            var now = Now();
            var version = new DoubleSecretVersion
            {
                Version = Guid.NewGuid().ToString("N"),
                Value = value,
                ContentType = contentType,
                Tags = tags ?? new(StringComparer.Ordinal),
                Enabled = enabled,
                Created = now,
                Updated = now,
            };
            if (!_live.TryGetValue(name, out var versions)) _live[name] = versions = [];
            versions.Add(version);
            return version;
        }
    }

    public DoubleSecretVersion Get(string name, string? version)
    {
        lock (_gate)
        {
            var found = Find(name, version);
            if (!found.Enabled)
                throw new DoubleVaultException(403, "Forbidden", "Operation get is not allowed on a disabled secret.");
            return found;
        }
    }

    public DoubleSecretVersion Update(string name, string version, string? contentType, bool? enabled, Dictionary<string, string>? tags)
    {
        lock (_gate)
        {
            var found = Find(name, version);
            if (contentType is not null) found.ContentType = contentType;
            if (enabled is not null) found.Enabled = enabled.Value;
            if (tags is not null) found.Tags = tags;
            found.Updated = Now();
            return found;
        }
    }

    /// <summary>Latest version of every live secret, ordered by name.</summary>
    public IReadOnlyList<(string Name, DoubleSecretVersion Latest)> List()
    {
        lock (_gate) return _live.Select(s => (s.Key, s.Value[^1])).ToList();
    }

    /// <summary>One listing page: the latest versions of the live secrets from position <paramref name="skip"/> on, by name.</summary>
    public (IReadOnlyList<(string Name, DoubleSecretVersion Latest)> Page, bool More) List(int skip, int take)
    {
        lock (_gate)
        {
            var page = _live.Skip(skip).Take(take).Select(s => (s.Key, s.Value[^1])).ToList();
            return (page, skip + page.Count < _live.Count);
        }
    }

    public IReadOnlyList<DoubleSecretVersion> Versions(string name)
    {
        lock (_gate) return _live.TryGetValue(name, out var versions) ? versions.ToList() : [];
    }

    public (DoubleSecretVersion Latest, DoubleDeletedSecret Deleted) Delete(string name)
    {
        lock (_gate)
        {
            if (!_live.Remove(name, out var versions))
                throw NotFound(name);
            var now = Now();
            var deleted = new DoubleDeletedSecret(versions, now, now + RecoverableDays * 86400L);
            _deleted[name] = deleted;
            return (versions[^1], deleted);
        }
    }

    public DoubleDeletedSecret GetDeleted(string name)
    {
        lock (_gate) return _deleted.TryGetValue(name, out var deleted) ? deleted : throw DeletedNotFound(name);
    }

    public IReadOnlyList<(string Name, DoubleDeletedSecret Deleted)> ListDeleted()
    {
        lock (_gate) return _deleted.OrderBy(s => s.Key, StringComparer.Ordinal).Select(s => (s.Key, s.Value)).ToList();
    }

    public void Purge(string name)
    {
        lock (_gate)
            if (!_deleted.Remove(name)) throw DeletedNotFound(name);
    }

    public DoubleSecretVersion Recover(string name)
    {
        lock (_gate)
        {
            if (_live.ContainsKey(name))
                throw new DoubleVaultException(409, "Conflict", $"Secret {name} is not in a deleted state.");
            if (!_deleted.Remove(name, out var deleted)) throw DeletedNotFound(name);
            _live[name] = deleted.Versions;
            return deleted.Versions[^1];
        }
    }

    /// <summary>How many set-secret requests (successful or not) named this secret.</summary>
    public int PutCount(string name)
    {
        lock (_gate) return _putCounts.GetValueOrDefault(name);
    }

    public int TotalPutCount
    {
        get { lock (_gate) return _putCounts.Values.Sum(); }
    }

    public bool IsDeleted(string name)
    {
        lock (_gate) return _deleted.ContainsKey(name);
    }

    private DoubleSecretVersion Find(string name, string? version)
    {
        if (!_live.TryGetValue(name, out var versions)) throw NotFound(name);
        if (string.IsNullOrEmpty(version)) return versions[^1];
        return versions.FirstOrDefault(v => v.Version == version) ?? throw NotFound($"{name}/{version}");
    }

    private long Now() => timeProvider.GetUtcNow().ToUnixTimeSeconds();

    private static void ValidateName(string name)
    {
        if (!SecretName().IsMatch(name))
            throw new DoubleVaultException(400, "BadParameter",
                "The request URI contains an invalid name: " + name + ". Follow this link for more information on how to create a valid name: https://aka.ms/azure-keyvault-naming-rules");
    }

    private static DoubleVaultException NotFound(string what) =>
        new(404, "SecretNotFound", $"A secret with (name/id) {what} was not found in this key vault. If you recently deleted this secret you may be able to recover it using the correct recovery command.");

    private static DoubleVaultException DeletedNotFound(string name) =>
        new(404, "SecretNotFound", $"Deleted Secret not found: {name}");

    [GeneratedRegex("^[0-9a-zA-Z-]{1,127}$")]
    private static partial Regex SecretName();
}
