using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Azure;
using TokenBroker.Store;
using TokenBroker.Store.KeyVault;
using TokenBroker.Testing;
using TokenBroker.Tests.Store.KeyVaultDouble;

namespace TokenBroker.Tests.Store;

/// <summary>What only the Key Vault store does: opaque names, operator tags, throttling, soft delete, racing writers.</summary>
public sealed class KeyVaultStoreBehaviourTests : IAsyncLifetime
{
    private readonly ManualTimeProvider _vaultClock = new(new DateTimeOffset(2026, 11, 21, 20, 0, 0, TimeSpan.Zero));
    private KeyVaultDoubleServer _vault = null!;
    private FixedTokenCredential _credential = null!;
    private KeyVaultTokenStore _store = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static KeyVaultTokenStoreOptions Options => new()
    {
        MaxRetries = 3,
        RetryDelay = TimeSpan.FromMilliseconds(10),
        MaxRetryDelay = TimeSpan.FromSeconds(5),
        NetworkTimeout = TimeSpan.FromSeconds(10),
    };

    public async ValueTask InitializeAsync()
    {
        _vault = await KeyVaultDoubleServer.StartAsync(_vaultClock);
        _credential = new FixedTokenCredential(KeyVaultDoubleServer.AccessToken);
        _store = NewStore();
    }

    public async ValueTask DisposeAsync() => await _vault.DisposeAsync();

    private KeyVaultTokenStore NewStore() => new(_vault.CreateClient(Options, _credential), Options);

    private string OnlySecretNamed(string prefix) => Assert.Single(_vault.Vault.List(), s => s.Name.StartsWith(prefix, StringComparison.Ordinal)).Name;

    [Fact]
    public async Task Secret_names_and_tags_reveal_no_address()
    {
        var mailbox = TestMailboxes.AwaitingConsent("erin.private@fabrikam.example", "verifier-x") with { DelegateAddress = "frank.delegate@fabrikam.example" };
        await _store.Mailboxes.SaveAsync(mailbox, null, Ct);
        await _store.TokenCaches.WriteAsync("erin-oid.erin-tid", [1, 2, 3], null, cancellationToken: Ct);

        var secrets = _vault.Vault.List();

        Assert.Equal(3, secrets.Count); // the mailbox, the cache and the naming key
        foreach (var (name, latest) in secrets)
        {
            Assert.Matches(new Regex("^(mbx-[0-9a-f]{64}|cache-[0-9a-f]{64}|key-secret-naming)$"), name);
            var metadata = name + " " + string.Join(" ", latest.Tags.Select(t => t.Key + "=" + t.Value));
            foreach (var revealing in new[] { "@", "erin", "frank", "fabrikam" })
                Assert.DoesNotContain(revealing, metadata, StringComparison.OrdinalIgnoreCase);
        }
    }

    [Fact]
    public async Task Mailbox_secret_is_json_tagged_with_state_and_token_expiry()
    {
        await _store.Mailboxes.SaveAsync(TestMailboxes.Connected(), null, Ct);

        var secret = _vault.Vault.Versions(OnlySecretNamed("mbx-")).Single();

        Assert.Equal("application/json", secret.ContentType);
        Assert.Equal("mailbox", secret.Tags["kind"]);
        Assert.Equal("Connected", secret.Tags["state"]);
        Assert.Equal("Imap+Smtp", secret.Tags["protocols"]);
        Assert.Equal("2026-11-21T21:20:00Z", secret.Tags["tokenExpiresAt"]);
        Assert.Equal("1", secret.Tags["generation"]);
        Assert.Contains("\"address\":\"alice@contoso.example\"", secret.Value);
    }

    [Fact]
    public async Task Each_write_raises_the_generation_tag()
    {
        var saved = await _store.Mailboxes.SaveAsync(TestMailboxes.Connected(), null, Ct);
        await _store.Mailboxes.SaveAsync(saved.Value with { State = MailboxState.NeedsConsent }, saved.Version, Ct);

        var versions = _vault.Vault.Versions(OnlySecretNamed("mbx-"));

        Assert.Equal(["1", "2"], versions.Select(v => v.Tags["generation"]));
        Assert.Equal("NeedsConsent", versions[^1].Tags["state"]);
    }

    [Fact]
    public async Task First_request_is_challenged_then_sent_with_a_vault_scoped_token()
    {
        await _store.Mailboxes.GetAsync("alice@contoso.example", Ct);

        Assert.Equal(401, _vault.Requests[0].Status);
        Assert.Contains("https://vault.azure.net/.default", _credential.RequestedScopes);
        Assert.All(_vault.Requests.Skip(1), r => Assert.NotEqual(401, r.Status));
    }

    [Fact]
    public async Task Throttled_request_waits_out_the_retry_after_then_succeeds()
    {
        var saved = await _store.Mailboxes.SaveAsync(TestMailboxes.Connected(), null, Ct);
        var before = _vault.Requests.Count;
        _vault.ThrottleNextRequests(1, TimeSpan.FromSeconds(1));

        var read = await _store.Mailboxes.GetAsync(saved.Value.Address, Ct);

        Assert.Equal(saved.Version, read!.Version);
        var throttled = _vault.Requests[before];
        var retried = _vault.Requests[before + 1];
        Assert.Equal(429, throttled.Status);
        Assert.Equal(200, retried.Status);
        // The client's own back-off is 10 ms: a wait of about a second can only come from Retry-After.
        Assert.InRange(retried.ReceivedAt - throttled.ReceivedAt, TimeSpan.FromMilliseconds(900), TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task Throttling_beyond_the_retry_budget_surfaces_the_429()
    {
        await _store.Mailboxes.GetAsync("warm-up@contoso.example", Ct);
        _vault.ThrottleNextRequests(Options.MaxRetries + 1, TimeSpan.Zero);

        var error = await Assert.ThrowsAsync<RequestFailedException>(() => _store.Mailboxes.GetAsync("alice@contoso.example", Ct));

        Assert.Equal(429, error.Status);
    }

    [Fact]
    public async Task Registering_an_address_whose_secret_is_soft_deleted_recovers_the_name_then_writes()
    {
        await _store.Mailboxes.SaveAsync(TestMailboxes.Connected(), null, Ct);
        var name = OnlySecretNamed("mbx-");
        await _store.Mailboxes.DeleteAsync("alice@contoso.example", Ct);
        Assert.True(_vault.Vault.IsDeleted(name));

        await _store.Mailboxes.SaveAsync(TestMailboxes.Connected() with { State = MailboxState.PendingConsent }, null, Ct);

        Assert.Contains(_vault.Requests, r => r.Method == "PUT" && r.Status == 409);
        Assert.Contains(_vault.Requests, r => r.Method == "POST" && r.Path == $"/deletedsecrets/{name}/recover");
        Assert.False(_vault.Vault.IsDeleted(name));
        var versions = _vault.Vault.Versions(name);
        Assert.Equal(["Connected", "PendingConsent"], versions.Select(v => v.Tags["state"]));
        Assert.Equal("2", versions[^1].Tags["generation"]);
    }

    [Fact]
    public async Task Soft_deleted_broker_key_is_recovered_not_replaced()
    {
        var key = await _store.Secrets.GetOrCreateKeyAsync("consent-state", 32, Ct);
        await (await _vault.CreateClient(Options).StartDeleteSecretAsync("key-consent-state", Ct)).WaitForCompletionAsync(Ct);

        var afterDelete = await NewStore().Secrets.GetOrCreateKeyAsync("consent-state", 32, Ct);

        Assert.Equal(key, afterDelete);
    }

    [Fact]
    public async Task Broker_key_written_by_two_instances_at_once_resolves_to_the_first_version()
    {
        var first = RandomNumberGenerator.GetBytes(32);
        var second = RandomNumberGenerator.GetBytes(32);
        var tags = new Dictionary<string, string> { ["kind"] = "broker-key" };
        _vault.Vault.Set("key-raced", Convert.ToBase64String(first), null, tags);
        _vaultClock.Advance(TimeSpan.FromSeconds(1));
        _vault.Vault.Set("key-raced", Convert.ToBase64String(second), null, tags);

        var one = await NewStore().Secrets.GetOrCreateKeyAsync("raced", 32, Ct);
        var other = await NewStore().Secrets.GetOrCreateKeyAsync("raced", 32, Ct);

        Assert.Equal(first, one);
        Assert.Equal(first, other);
    }

    [Fact]
    public async Task A_racing_write_landing_right_after_ours_is_reported_as_a_conflict()
    {
        var saved = await _store.Mailboxes.SaveAsync(TestMailboxes.Connected(), null, Ct);
        var racer = Encoding.UTF8.GetString(Encoding.UTF8.GetBytes($$"""{"address":"alice@contoso.example","state":"Disabled"}"""));
        _vault.AfterNextSecretSet(name => _vault.Vault.Set(name, racer, "application/json",
            new Dictionary<string, string> { ["kind"] = "mailbox", ["generation"] = "2" }));

        var error = await Assert.ThrowsAsync<StoreConcurrencyException>(() =>
            _store.Mailboxes.SaveAsync(saved.Value with { State = MailboxState.NeedsConsent }, saved.Version, Ct));

        var latest = _vault.Vault.Versions(OnlySecretNamed("mbx-"))[^1];
        Assert.Equal(racer, latest.Value);
        Assert.Equal(latest.Version, error.ActualVersion);
    }

    [Fact]
    public async Task List_ignores_secrets_the_registry_did_not_write()
    {
        _vault.Vault.Set("unrelated-connection-string", "Server=x", null, null);
        await _store.Mailboxes.SaveAsync(TestMailboxes.Connected(), null, Ct);

        var listed = await _store.Mailboxes.ListAsync(Ct);

        Assert.Equal(["alice@contoso.example"], listed.Select(m => m.Value.Address));
    }

    [Fact]
    public async Task Token_cache_too_large_for_a_secret_is_refused_before_writing()
    {
        var incompressible = RandomNumberGenerator.GetBytes(30 * 1024);
        await _store.Secrets.GetOrCreateKeyAsync("secret-naming", 32, Ct);
        var writesBefore = _vault.Vault.TotalPutCount;

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            _store.TokenCaches.WriteAsync("big.cache", incompressible, null, cancellationToken: Ct));

        Assert.Contains("25600", error.Message);
        Assert.Equal(writesBefore, _vault.Vault.TotalPutCount);
    }

    [Fact]
    public async Task Token_cache_is_stored_compressed_under_an_opaque_name()
    {
        var blob = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("{\"AccessToken\":{}},", 500)));

        await _store.TokenCaches.WriteAsync("oid.tid", blob, null, new Dictionary<string, string> { ["cache"] = "user" }, Ct);

        var secret = _vault.Vault.Versions(OnlySecretNamed("cache-")).Single();
        Assert.True(secret.Value.Length < blob.Length / 4);
        Assert.Equal("token-cache", secret.Tags["kind"]);
        Assert.Equal("user", secret.Tags["cache"]);
    }
}
