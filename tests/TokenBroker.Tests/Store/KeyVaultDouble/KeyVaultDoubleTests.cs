using Azure;
using Azure.Security.KeyVault.Secrets;
using TokenBroker.Store.KeyVault;

namespace TokenBroker.Tests.Store.KeyVaultDouble;

/// <summary>The double speaks the secrets API the way SecretClient expects (operations the stores use rarely or not at all).</summary>
public sealed class KeyVaultDoubleTests : IAsyncLifetime
{
    private KeyVaultDoubleServer _server = null!;
    private SecretClient _client = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _server = await KeyVaultDoubleServer.StartAsync();
        _client = _server.CreateClient(new KeyVaultTokenStoreOptions { MaxRetries = 0 });
    }

    public async ValueTask DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Listing_follows_next_links_across_pages()
    {
        _server.PageSize = 2;
        foreach (var name in new[] { "s1", "s2", "s3", "s4", "s5" })
            await _client.SetSecretAsync(name, "v", Ct);

        var names = new List<string>();
        await foreach (var properties in _client.GetPropertiesOfSecretsAsync(Ct)) names.Add(properties.Name);

        Assert.Equal(["s1", "s2", "s3", "s4", "s5"], names);
        Assert.Equal(3, _server.Requests.Count(r => r.Method == "GET" && r.Path == "/secrets" && r.Status == 200));
    }

    [Fact]
    public async Task A_listing_page_holds_maxresults_items_with_tags_but_no_value_and_links_the_next_page()
    {
        foreach (var name in new[] { "p1", "p2", "p3" })
        {
            var secret = new KeyVaultSecret(name, "secret-value-" + name);
            secret.Properties.Tags["state"] = "Connected";
            await _client.SetSecretAsync(secret, Ct);
        }
        using var http = _server.CreateHttpClient();

        var page = System.Text.Json.Nodes.JsonNode.Parse(await http.GetStringAsync("secrets?api-version=7.6&maxresults=2", Ct))!;

        var items = page["value"]!.AsArray();
        Assert.Equal(2, items.Count);
        Assert.All(items, item =>
        {
            Assert.Null(item!["value"]);
            Assert.Equal("Connected", item["tags"]!["state"]!.GetValue<string>());
        });
        Assert.Contains("maxresults=2", page["nextLink"]!.GetValue<string>());
        Assert.DoesNotContain("secret-value", page.ToJsonString());
    }

    [Fact]
    public async Task The_last_listing_page_has_no_next_link()
    {
        await _client.SetSecretAsync("only", "v", Ct);
        using var http = _server.CreateHttpClient();

        var page = System.Text.Json.Nodes.JsonNode.Parse(await http.GetStringAsync("secrets?api-version=7.6&maxresults=5", Ct))!;

        Assert.Single(page["value"]!.AsArray());
        Assert.Null(page["nextLink"]);
    }

    [Fact]
    public async Task Versions_are_listed_and_readable_one_by_one()
    {
        var first = (await _client.SetSecretAsync("versioned", "one", Ct)).Value;
        await _client.SetSecretAsync("versioned", "two", Ct);

        var versions = new List<string>();
        await foreach (var properties in _client.GetPropertiesOfSecretVersionsAsync("versioned", Ct)) versions.Add(properties.Version);

        Assert.Equal(2, versions.Count);
        Assert.Equal("one", (await _client.GetSecretAsync("versioned", first.Properties.Version, Ct)).Value.Value);
        Assert.Equal("two", (await _client.GetSecretAsync("versioned", cancellationToken: Ct)).Value.Value);
    }

    [Fact]
    public async Task Updating_properties_changes_tags_without_a_new_version()
    {
        var secret = (await _client.SetSecretAsync("patched", "value", Ct)).Value;
        secret.Properties.Tags["state"] = "Disabled";

        await _client.UpdateSecretPropertiesAsync(secret.Properties, Ct);

        var version = Assert.Single(_server.Vault.Versions("patched"));
        Assert.Equal("Disabled", version.Tags["state"]);
    }

    [Fact]
    public async Task A_soft_deleted_name_refuses_a_new_value_until_purged()
    {
        await _client.SetSecretAsync("doomed", "old", Ct);
        await (await _client.StartDeleteSecretAsync("doomed", Ct)).WaitForCompletionAsync(Ct);

        var conflict = await Assert.ThrowsAsync<RequestFailedException>(() => _client.SetSecretAsync("doomed", "new", Ct));
        var deleted = (await _client.GetDeletedSecretAsync("doomed", Ct)).Value;
        await _client.PurgeDeletedSecretAsync("doomed", Ct);
        await _client.SetSecretAsync("doomed", "new", Ct);

        Assert.Equal(409, conflict.Status);
        Assert.Equal("doomed", deleted.Name);
        Assert.Equal("new", (await _client.GetSecretAsync("doomed", cancellationToken: Ct)).Value.Value);
    }

    [Fact]
    public async Task A_request_with_a_wrong_token_is_refused()
    {
        var stranger = _server.CreateClient(new KeyVaultTokenStoreOptions { MaxRetries = 0 }, new FixedTokenCredential("someone-else"));

        var error = await Assert.ThrowsAsync<RequestFailedException>(() => stranger.GetSecretAsync("anything", cancellationToken: Ct));

        Assert.Equal(401, error.Status);
    }
}
