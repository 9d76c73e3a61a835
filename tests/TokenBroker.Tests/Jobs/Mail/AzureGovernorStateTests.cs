using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Specialized;
using TokenBroker.Jobs.Ledger;
using TokenBroker.Jobs.Mail.Governor.Shared;
using TokenBroker.StorageAccount;
using TokenBroker.Testing;

namespace TokenBroker.Tests.Jobs.Mail;

/// <summary>
/// The Azure governor state on Azurite, as several instances see it: each <see cref="AzureBlobGovernorState"/> is its
/// own client on one container, as each instance's would be.
/// </summary>
public sealed class AzureGovernorStateTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private static readonly GovernorLimits Limits = new(MessagesPerWindow: 10, Window: TimeSpan.FromMinutes(1), RecipientsPerDay: 1000, MaxConnections: 2, SlotLease: TimeSpan.FromSeconds(15));
    private static readonly StorageConnection Azurite =
        StorageConnection.FromConnectionString(PeersEnvironment.Get("AZURITE_CONNECTION_STRING"), "AZURITE_CONNECTION_STRING");
    private readonly string _container = "governor-test-" + Guid.NewGuid().ToString("N")[..12];

    private AzureBlobGovernorState Instance() => new(Azurite, new StorageRequestOptions(), _container);

    [Fact]
    public async Task Instances_racing_for_one_window_are_admitted_exactly_its_limit()
    {
        var instances = Enumerable.Range(0, 3).Select(_ => Instance()).ToList();

        var answers = await Task.WhenAll(instances.SelectMany(state => Enumerable.Range(0, 8).Select(_ => state.TryAdmitAsync("a@contoso.com", 1, Limits, Ct))));

        Assert.Equal(Limits.MessagesPerWindow, answers.Count(a => a.Granted));
        Assert.All(answers.Where(a => !a.Granted), a => Assert.Equal(AdmissionResult.WindowFull, a.Result));
        var status = await instances[0].ReadAsync("a@contoso.com", Limits, Ct);
        Assert.Equal(Limits.MessagesPerWindow, status.MessagesInWindow);
        Assert.Equal(Limits.MessagesPerWindow, status.RecipientsToday);
    }

    [Fact]
    public async Task Connection_slots_are_blob_leases_shared_by_the_instances()
    {
        var first = Instance();
        var second = Instance();
        await using var a = await first.TryAcquireConnectionAsync("a@contoso.com", Limits, Ct);
        var b = await second.TryAcquireConnectionAsync("a@contoso.com", Limits, Ct);
        Assert.NotNull(a);
        Assert.NotNull(b);
        Assert.Null(await second.TryAcquireConnectionAsync("a@contoso.com", Limits, Ct));
        Assert.Equal(2, (await first.ReadAsync("a@contoso.com", Limits, Ct)).ConnectionsInUse);

        await b.DisposeAsync();

        await using var c = await first.TryAcquireConnectionAsync("a@contoso.com", Limits, Ct);
        Assert.NotNull(c);
    }

    [Fact]
    public async Task The_slots_of_an_instance_that_died_are_free_once_their_leases_run_out()
    {
        var live = Instance();
        // The slot blobs exist once any instance has used the mailbox.
        await (await live.TryAcquireConnectionAsync("dead@contoso.com", Limits, Ct))!.DisposeAsync();
        // What a killed instance leaves behind: the slot blobs leased by it, never renewed and never released.
        var blobs = Azurite.CreateBlobServiceClient(new BlobClientOptions()).GetBlobContainerClient(_container);
        foreach (var slot in new[] { "0", "1" })
            await blobs.GetBlobClient($"slots/{LedgerKeys.Mailbox("dead@contoso.com")}/{slot}").GetBlobLeaseClient().AcquireAsync(Limits.SlotLease, cancellationToken: Ct);
        Assert.Null(await live.TryAcquireConnectionAsync("dead@contoso.com", Limits, Ct));

        await Task.Delay(Limits.SlotLease + TimeSpan.FromSeconds(1), Ct);

        await using var taken = await live.TryAcquireConnectionAsync("dead@contoso.com", Limits, Ct);
        Assert.NotNull(taken);
    }
}
