using TokenBroker.Queues;

namespace TokenBroker.Tests.Queues;

/// <summary>Lease renewal (Azure's Update Message with a visibility timeout), what the standalone listener relies on.</summary>
public abstract partial class QueueTransportSpecification
{
    [Fact]
    public async Task A_renewed_lease_keeps_the_message_hidden_after_the_first_lease_has_ended()
    {
        await Transport.SendAsync(Queue, "long job", cancellationToken: Ct);
        var received = Assert.Single(await Transport.ReceiveAsync(Queue, 1, Lease, Ct));

        var renewed = await Transport.RenewLeaseAsync(Queue, received, Hold, Ct);
        await LetTimePassAsync(Lease);

        Assert.Empty(await NewTransport().ReceiveAsync(Queue, 1, Lease, Ct));
        await Transport.DeleteAsync(Queue, renewed, Ct);
        Assert.Equal(0, await Transport.GetApproximateCountAsync(Queue, Ct));
    }

    [Fact]
    public async Task A_renewal_returns_a_new_pop_receipt_and_the_old_one_is_stale()
    {
        await Transport.SendAsync(Queue, "renewed", cancellationToken: Ct);
        var received = Assert.Single(await Transport.ReceiveAsync(Queue, 1, Lease, Ct));

        var renewed = await Transport.RenewLeaseAsync(Queue, received, Hold, Ct);

        Assert.NotEqual(received.PopReceipt, renewed.PopReceipt);
        Assert.Equal((received.Id, received.Text, received.DequeueCount), (renewed.Id, renewed.Text, renewed.DequeueCount));
        await Assert.ThrowsAsync<QueueLeaseLostException>(() => Transport.DeleteAsync(Queue, received, Ct));
        await Transport.DeleteAsync(Queue, renewed, Ct);
    }

    [Fact]
    public async Task A_renewal_reports_when_the_message_becomes_visible_again()
    {
        await Transport.SendAsync(Queue, "when", cancellationToken: Ct);
        var received = Assert.Single(await Transport.ReceiveAsync(Queue, 1, Lease, Ct));

        var renewed = await Transport.RenewLeaseAsync(Queue, received, Hold, Ct);

        // Measured from the first lease's end, so the transport's own clock (manual or the server's) cancels out.
        Assert.InRange(renewed.NextVisibleTime - received.NextVisibleTime, Hold - Lease - TimeSpan.FromSeconds(1), Hold - Lease + TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task A_renewal_can_be_renewed_again_with_its_new_receipt()
    {
        await Transport.SendAsync(Queue, "twice", cancellationToken: Ct);
        var received = Assert.Single(await Transport.ReceiveAsync(Queue, 1, Lease, Ct));

        var once = await Transport.RenewLeaseAsync(Queue, received, Lease, Ct);
        var twice = await Transport.RenewLeaseAsync(Queue, once, Hold, Ct);
        await LetTimePassAsync(Lease);

        Assert.Empty(await NewTransport().ReceiveAsync(Queue, 1, Lease, Ct));
        await Transport.DeleteAsync(Queue, twice, Ct);
    }

    [Fact]
    public async Task Renewing_after_another_consumer_took_the_message_throws_lease_lost()
    {
        await Transport.SendAsync(Queue, "taken", cancellationToken: Ct);
        var first = Assert.Single(await Transport.ReceiveAsync(Queue, 1, Lease, Ct));
        await LetTimePassAsync(Lease);
        Assert.Single(await NewTransport().ReceiveAsync(Queue, 1, Hold, Ct));

        await Assert.ThrowsAsync<QueueLeaseLostException>(() => Transport.RenewLeaseAsync(Queue, first, Hold, Ct));
    }

    [Fact]
    public async Task Renewing_a_deleted_message_throws_lease_lost()
    {
        await Transport.SendAsync(Queue, "gone", cancellationToken: Ct);
        var received = Assert.Single(await Transport.ReceiveAsync(Queue, 1, Lease, Ct));
        await Transport.DeleteAsync(Queue, received, Ct);

        await Assert.ThrowsAsync<QueueLeaseLostException>(() => Transport.RenewLeaseAsync(Queue, received, Hold, Ct));
    }
}
