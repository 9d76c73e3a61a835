using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace TokenBroker.Tests.Store.KeyVaultDouble;

/// <summary>Routes Key Vault secrets REST requests (api-version 7.x) to the <see cref="DoubleVault"/>.</summary>
internal sealed class DoubleRequestHandler(DoubleVault vault, KeyVaultDoubleServer server)
{
    public async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        var segments = request.Path.Value!.Trim('/').Split('/', StringSplitOptions.RemoveEmptyEntries);
        var baseUri = server.VaultUri.ToString();
        try
        {
            if (string.IsNullOrEmpty(request.Query["api-version"]))
                throw new DoubleVaultException(400, "BadParameter", "The 'api-version' query parameter is missing.");
            var body = await ReadBodyAsync(request);
            JsonNode result = (request.Method, segments) switch
            {
                ("GET", ["secrets"]) => SecretsPage(request, baseUri),
                ("PUT", ["secrets", var name]) => Set(baseUri, name, body),
                ("GET", ["secrets", var name]) => DoubleJson.Bundle(baseUri, name, vault.Get(name, null)),
                ("DELETE", ["secrets", var name]) => Delete(baseUri, name),
                ("GET", ["secrets", var name, "versions"]) => Page(request, vault.Versions(name).Select(v => DoubleJson.Item(baseUri, name, v, withVersion: true))),
                ("GET", ["secrets", var name, var version]) => DoubleJson.Bundle(baseUri, name, vault.Get(name, version)),
                ("PATCH", ["secrets", var name, var version]) => Update(baseUri, name, version, body),
                ("GET", ["deletedsecrets"]) => Page(request, vault.ListDeleted().Select(d => DoubleJson.DeletedBundle(baseUri, d.Name, d.Deleted, includeValue: false))),
                ("GET", ["deletedsecrets", var name]) => DoubleJson.DeletedBundle(baseUri, name, vault.GetDeleted(name), includeValue: false),
                ("DELETE", ["deletedsecrets", var name]) => Purge(name),
                ("POST", ["deletedsecrets", var name, "recover"]) => DoubleJson.Bundle(baseUri, name, vault.Recover(name), includeValue: false),
                _ => throw new DoubleVaultException(405, "MethodNotAllowed", $"{request.Method} {request.Path} is not part of the secrets API."),
            };
            if (result is JsonValue) { context.Response.StatusCode = 204; return; }
            await WriteJsonAsync(context, 200, result);
        }
        catch (DoubleVaultException e)
        {
            await WriteJsonAsync(context, e.Status, DoubleJson.Error(e.Code, e.Message));
        }
    }

    private JsonObject Set(string baseUri, string name, JsonObject? body)
    {
        if (body?["value"] is not JsonValue value)
            throw new DoubleVaultException(400, "BadParameter", "Property 'value' is required.");
        var text = value.GetValue<string>();
        if (text.Length > 25 * 1024)
            throw new DoubleVaultException(400, "BadParameter", "Secret value is too large; the maximum is 25 KB.");
        var tags = ReadTags(body);
        if (tags is { Count: > 15 })
            throw new DoubleVaultException(400, "BadParameter", "Too many tags; the maximum is 15.");
        var enabled = body["attributes"]?["enabled"]?.GetValue<bool>() ?? true;
        server.CountWrite();
        var version = vault.Set(name, text, body["contentType"]?.GetValue<string>(), tags, enabled);
        server.SecretWasSet(name);
        return DoubleJson.Bundle(baseUri, name, version);
    }

    private JsonObject Update(string baseUri, string name, string version, JsonObject? body)
    {
        server.CountWrite();
        var updated = vault.Update(name, version, body?["contentType"]?.GetValue<string>(),
            body?["attributes"]?["enabled"]?.GetValue<bool>(), ReadTags(body));
        return DoubleJson.Bundle(baseUri, name, updated, includeValue: false);
    }

    private JsonObject Delete(string baseUri, string name)
    {
        server.CountWrite();
        var (_, deleted) = vault.Delete(name);
        return DoubleJson.DeletedBundle(baseUri, name, deleted, includeValue: false);
    }

    private JsonValue Purge(string name)
    {
        server.CountWrite();
        vault.Purge(name);
        return JsonValue.Create(true);
    }

    /// <summary>
    /// List Secrets like the service: SecretItems (id, attributes, tags, contentType; never the value), at most
    /// <c>maxresults</c> (≤ the server's page size, 25 like Key Vault) per page, then a nextLink. Only the page is
    /// built, so listing a large vault costs linear work, as it does on the real service.
    /// </summary>
    private JsonObject SecretsPage(HttpRequest request, string baseUri)
    {
        var (skip, size) = PageWindow(request);
        var (page, more) = vault.List(skip, size);
        return PageJson(request, page.Select(s => DoubleJson.Item(baseUri, s.Name, s.Latest, withVersion: false)), skip, size, more);
    }

    /// <summary>A page of <c>maxresults</c> (default the server's page size) items and a nextLink carrying a skip token.</summary>
    private JsonObject Page(HttpRequest request, IEnumerable<JsonObject> items)
    {
        var (skip, size) = PageWindow(request);
        var window = items.Skip(skip).Take(size + 1).ToList();
        return PageJson(request, window.Take(size), skip, size, window.Count > size);
    }

    private (int Skip, int Size) PageWindow(HttpRequest request)
    {
        var skip = int.TryParse(request.Query["$skiptoken"], out var token) ? token : 0;
        var size = int.TryParse(request.Query["maxresults"], out var max) ? Math.Min(max, server.PageSize) : server.PageSize;
        if (size < 1) throw new DoubleVaultException(400, "BadParameter", "maxresults must be at least 1.");
        return (skip, size);
    }

    private JsonObject PageJson(HttpRequest request, IEnumerable<JsonObject> page, int skip, int size, bool more)
    {
        var next = more
            ? $"{server.VaultUri}{request.Path.Value!.TrimStart('/')}?api-version={request.Query["api-version"]}&$skiptoken={skip + size}&maxresults={size}"
            : null;
        return new JsonObject { ["value"] = new JsonArray(page.Select(i => (JsonNode)i).ToArray()), ["nextLink"] = next };
    }

    private static Dictionary<string, string>? ReadTags(JsonObject? body) =>
        body?["tags"] is JsonObject tags
            ? tags.ToDictionary(t => t.Key, t => t.Value!.GetValue<string>(), StringComparer.Ordinal)
            : null;

    private static async Task<JsonObject?> ReadBodyAsync(HttpRequest request)
    {
        using var reader = new StreamReader(request.Body);
        var text = await reader.ReadToEndAsync();
        if (string.IsNullOrWhiteSpace(text)) return null;
        try
        {
            return JsonNode.Parse(text) as JsonObject ?? throw new DoubleVaultException(400, "BadParameter", "The body is not a JSON object.");
        }
        catch (JsonException e)
        {
            throw new DoubleVaultException(400, "BadParameter", "The body is not valid JSON: " + e.Message);
        }
    }

    private static async Task WriteJsonAsync(HttpContext context, int status, JsonNode body)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json; charset=utf-8";
        await context.Response.WriteAsync(body.ToJsonString());
    }
}
