using TokenBroker.Store;
using TokenBroker.Store.KeyVault;
using TokenBroker.Tests.Store.KeyVaultDouble;

namespace TokenBroker.Tests.Store;

/// <summary>Listing mailboxes on Key Vault: summaries come from the listing pages' tags alone, values only when asked.</summary>
public sealed class KeyVaultListingTests : IAsyncLifetime
{
    private KeyVaultDoubleServer _vault = null!;
    private KeyVaultTokenStore _store = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _vault = await KeyVaultDoubleServer.StartAsync();
        var options = new KeyVaultTokenStoreOptions { MaxRetries = 0 };
        _store = new KeyVaultTokenStore(_vault.CreateClient(options), options);
    }

    public async ValueTask DisposeAsync() => await _vault.DisposeAsync();

    private async Task SaveMailboxesAsync(int count)
    {
        for (var i = 0; i < count; i++)
            await _store.Mailboxes.SaveAsync(TestMailboxes.Connected($"m{i}@contoso.example"), null, Ct);
        lock (_vault.Requests) _vault.Requests.Clear();
    }

    private List<DoubleRequest> Requests()
    {
        lock (_vault.Requests) return _vault.Requests.ToList();
    }

    [Fact]
    public async Task Listing_summaries_fetches_only_the_listing_pages_and_no_secret_value()
    {
        _vault.PageSize = 2;
        await SaveMailboxesAsync(5);

        var summaries = await _store.Mailboxes.ListSummariesAsync(Ct);

        Assert.Equal(5, summaries.Count);
        Assert.All(Requests(), r => Assert.Equal(("GET", "/secrets"), (r.Method, r.Path)));
        Assert.Equal(3, Requests().Count); // 6 secrets (5 mailboxes and the naming key), 2 per page
    }

    [Fact]
    public async Task Reading_a_summary_fetches_that_one_secret()
    {
        await SaveMailboxesAsync(3);
        var summary = (await _store.Mailboxes.ListSummariesAsync(Ct))[1];

        await _store.Mailboxes.GetAsync(summary, Ct);

        Assert.Equal(["/secrets/" + summary.Id], Requests().Where(r => r.Path != "/secrets").Select(r => r.Path));
    }

    [Fact]
    public async Task Full_listing_reads_every_mailbox_value_once()
    {
        await SaveMailboxesAsync(12);

        var listed = await _store.Mailboxes.ListAsync(Ct);

        Assert.Equal(12, listed.Count);
        var reads = Requests().Where(r => r.Path.StartsWith("/secrets/mbx-", StringComparison.Ordinal)).ToList();
        Assert.Equal(12, reads.Select(r => r.Path).Distinct().Count());
        Assert.Equal(12, reads.Count);
    }

    [Fact]
    public async Task A_backing_off_mailbox_carries_its_next_attempt_time_in_a_tag()
    {
        var mailbox = TestMailboxes.Connected() with { Backoff = new MailboxBackoff(TestMailboxes.Created.AddMinutes(30), 4) };

        await _store.Mailboxes.SaveAsync(mailbox, null, Ct);

        var tags = Assert.Single(_vault.Vault.List(), s => s.Name.StartsWith(SecretNaming.MailboxPrefix, StringComparison.Ordinal)).Latest.Tags;
        Assert.Equal("2026-11-21T20:30:00Z", tags["nextAttemptAt"]);
    }
}
