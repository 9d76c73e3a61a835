namespace TokenBroker.Store.KeyVault;

/// <summary>What to store in a secret: value, content type and tags (the generation tag is added by the writer).</summary>
/// <param name="Item">Names the item for errors ("Mailbox a@b.example"); never put into the vault.</param>
/// <param name="SameValue">Decides whether a stored value already holds what <paramref name="Value"/> holds (encodings may differ).</param>
internal sealed record SecretWrite(
    string Name,
    string Item,
    string Value,
    string ContentType,
    IReadOnlyDictionary<string, string> Tags,
    Func<string, bool>? SameValue = null)
{
    public bool IsSatisfiedBy(StoredSecret current)
    {
        if (current.ContentType != ContentType) return false;
        if (!(SameValue?.Invoke(current.Value) ?? string.Equals(current.Value, Value, StringComparison.Ordinal))) return false;
        var currentTags = current.Tags.Where(t => t.Key != SecretTags.Generation).ToDictionary(StringComparer.Ordinal);
        return currentTags.Count == Tags.Count
            && Tags.All(t => currentTags.TryGetValue(t.Key, out var v) && v == t.Value);
    }
}
