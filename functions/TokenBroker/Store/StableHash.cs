namespace TokenBroker.Store;

/// <summary>A hash of a store key that every process and version computes alike (string.GetHashCode is randomised per process).</summary>
internal static class StableHash
{
    /// <summary>32-bit FNV-1a over the key's UTF-16 code units.</summary>
    public static uint Of(string key)
    {
        var hash = 2166136261u;
        foreach (var c in key) hash = (hash ^ c) * 16777619u;
        return hash;
    }
}
