using System.Text.Json.Nodes;

namespace TokenBroker.Tests.Store.KeyVaultDouble;

/// <summary>The JSON shapes of the Key Vault secrets REST API (SecretBundle, SecretItem, DeletedSecretBundle, errors).</summary>
internal static class DoubleJson
{
    public static JsonObject Bundle(string baseUri, string name, DoubleSecretVersion version, bool includeValue = true)
    {
        var bundle = new JsonObject
        {
            ["id"] = $"{baseUri}secrets/{name}/{version.Version}",
            ["attributes"] = Attributes(version),
            ["tags"] = Tags(version),
        };
        if (includeValue) bundle["value"] = version.Value;
        if (version.ContentType is not null) bundle["contentType"] = version.ContentType;
        return bundle;
    }

    public static JsonObject Item(string baseUri, string name, DoubleSecretVersion version, bool withVersion)
    {
        var item = new JsonObject
        {
            ["id"] = withVersion ? $"{baseUri}secrets/{name}/{version.Version}" : $"{baseUri}secrets/{name}",
            ["attributes"] = Attributes(version),
            ["tags"] = Tags(version),
        };
        if (version.ContentType is not null) item["contentType"] = version.ContentType;
        return item;
    }

    public static JsonObject DeletedBundle(string baseUri, string name, DoubleDeletedSecret deleted, bool includeValue)
    {
        var bundle = Bundle(baseUri, name, deleted.Versions[^1], includeValue);
        bundle["recoveryId"] = $"{baseUri}deletedsecrets/{name}";
        bundle["deletedDate"] = deleted.DeletedDate;
        bundle["scheduledPurgeDate"] = deleted.ScheduledPurgeDate;
        return bundle;
    }

    public static JsonObject Error(string code, string message) =>
        new() { ["error"] = new JsonObject { ["code"] = code, ["message"] = message } };

    private static JsonObject Attributes(DoubleSecretVersion version)
    {
        var attributes = new JsonObject
        {
            ["enabled"] = version.Enabled,
            ["created"] = version.Created,
            ["updated"] = version.Updated,
            ["recoveryLevel"] = "Recoverable+Purgeable",
            ["recoverableDays"] = 90,
        };
        if (version.NotBefore is { } nbf) attributes["nbf"] = nbf;
        if (version.Expires is { } exp) attributes["exp"] = exp;
        return attributes;
    }

    private static JsonObject Tags(DoubleSecretVersion version)
    {
        var tags = new JsonObject();
        foreach (var (key, value) in version.Tags) tags[key] = value;
        return tags;
    }
}
