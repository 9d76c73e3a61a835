using TokenBroker.Queues;

namespace TokenBroker.Tests.Queues;

/// <summary>
/// What every <see cref="IQueueTransport"/> must do, run against each transport by a subclass. A subclass
/// says how time passes: a manual clock for SQLite, real (short, bounded) waits for the Azure emulator.
/// </summary>
public abstract partial class QueueTransportSpecification : IAsyncLifetime
{
    private readonly List<IQueueTransport> _transports = [];

    protected string Queue { get; } = "spec-" + Guid.NewGuid().ToString("N")[..20];

    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>
    /// A lease the subclass's clock can pass cheaply (whole seconds: Azure's granularity), yet long enough to
    /// outlast the next call on a loaded machine.
    /// </summary>
    protected abstract TimeSpan Lease { get; }

    /// <summary>A lease no test outlives.</summary>
    protected static readonly TimeSpan Hold = TimeSpan.FromMinutes(5);

    /// <summary>A new transport on the same store as every other one this test created.</summary>
    protected abstract IQueueTransport CreateTransport();

    /// <summary>Lets <paramref name="duration"/> pass for the transports (and a little more, for the server's rounding).</summary>
    protected abstract Task LetTimePassAsync(TimeSpan duration);

    protected IQueueTransport NewTransport()
    {
        var transport = CreateTransport();
        _transports.Add(transport);
        return transport;
    }

    public virtual async ValueTask InitializeAsync() => await NewTransport().CreateIfNotExistsAsync(Queue, Ct);

    public virtual async ValueTask DisposeAsync()
    {
        foreach (var transport in _transports)
        {
            switch (transport)
            {
                case IAsyncDisposable asyncDisposable: await asyncDisposable.DisposeAsync(); break;
                case IDisposable disposable: disposable.Dispose(); break;
            }
        }
        GC.SuppressFinalize(this);
    }

    private IQueueTransport Transport => _transports[0];

    [Fact]
    public async Task A_sent_message_is_received_once_and_gone_after_delete()
    {
        await Transport.SendAsync(Queue, "hello", cancellationToken: Ct);

        var received = Assert.Single(await Transport.ReceiveAsync(Queue, 16, Lease, Ct));
        Assert.Equal("hello", received.Text);
        Assert.Equal(1, received.DequeueCount);
        await Transport.DeleteAsync(Queue, received, Ct);

        await LetTimePassAsync(Lease);
        Assert.Empty(await Transport.ReceiveAsync(Queue, 16, Lease, Ct));
        Assert.Equal(0, await Transport.GetApproximateCountAsync(Queue, Ct));
    }

    [Fact]
    public async Task A_peeked_message_stays_visible_with_its_dequeue_count_unchanged()
    {
        await Transport.SendAsync(Queue, "first", cancellationToken: Ct);
        await Transport.SendAsync(Queue, "second", cancellationToken: Ct);

        var peeked = await Transport.PeekAsync(Queue, 32, Ct);

        Assert.Equal(["first", "second"], peeked.Select(m => m.Text));
        Assert.All(peeked, m => Assert.Equal(0, m.DequeueCount));
        var received = await Transport.ReceiveAsync(Queue, 16, Lease, Ct);
        Assert.Equal(peeked.Select(m => m.Id).Order(), received.Select(m => m.Id).Order());
        Assert.All(received, m => Assert.Equal(1, m.DequeueCount));
    }

    [Fact]
    public async Task A_received_message_carries_its_trigger_metadata()
    {
        await Transport.SendAsync(Queue, "metadata", cancellationToken: Ct);

        var received = Assert.Single(await Transport.ReceiveAsync(Queue, 1, Lease, Ct));

        Assert.False(string.IsNullOrEmpty(received.Id));
        Assert.False(string.IsNullOrEmpty(received.PopReceipt));
        Assert.InRange(received.ExpirationTime - received.InsertionTime, TimeSpan.FromDays(7) - TimeSpan.FromSeconds(2), TimeSpan.FromDays(7) + TimeSpan.FromSeconds(2));
        Assert.InRange(received.NextVisibleTime - received.InsertionTime, Lease - TimeSpan.FromSeconds(2), Lease + TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task A_receive_returns_at_most_the_requested_number_of_messages()
    {
        for (var i = 0; i < 5; i++) await Transport.SendAsync(Queue, $"m{i}", cancellationToken: Ct);

        var first = await Transport.ReceiveAsync(Queue, 3, Hold, Ct);
        var rest = await Transport.ReceiveAsync(Queue, 32, Hold, Ct);

        Assert.Equal(3, first.Count);
        Assert.Equal(2, rest.Count);
        Assert.Equal(["m0", "m1", "m2", "m3", "m4"], first.Concat(rest).Select(m => m.Text).Order());
    }

    [Fact]
    public async Task A_received_message_is_invisible_to_another_receiver_until_its_lease_expires()
    {
        var other = NewTransport();
        await Transport.SendAsync(Queue, "leased", cancellationToken: Ct);
        Assert.Single(await Transport.ReceiveAsync(Queue, 1, Lease, Ct));

        Assert.Empty(await other.ReceiveAsync(Queue, 1, Lease, Ct));
        await LetTimePassAsync(Lease);

        var again = Assert.Single(await other.ReceiveAsync(Queue, 1, Lease, Ct));
        Assert.Equal("leased", again.Text);
    }

    [Fact]
    public async Task The_dequeue_count_increments_on_each_receive()
    {
        await Transport.SendAsync(Queue, "retry me", cancellationToken: Ct);

        var counts = new List<long>();
        for (var i = 0; i < 3; i++)
        {
            counts.Add(Assert.Single(await Transport.ReceiveAsync(Queue, 1, Lease, Ct)).DequeueCount);
            await LetTimePassAsync(Lease);
        }

        Assert.Equal([1L, 2L, 3L], counts);
    }

    [Fact]
    public async Task A_released_message_becomes_visible_again_after_the_delay()
    {
        await Transport.SendAsync(Queue, "released", cancellationToken: Ct);
        var received = Assert.Single(await Transport.ReceiveAsync(Queue, 1, Hold, Ct));

        await Transport.ReleaseAsync(Queue, received, Lease, Ct);
        Assert.Empty(await Transport.ReceiveAsync(Queue, 1, Lease, Ct));
        await LetTimePassAsync(Lease);

        var again = Assert.Single(await Transport.ReceiveAsync(Queue, 1, Lease, Ct));
        Assert.Equal("released", again.Text);
        Assert.Equal(2, again.DequeueCount);
    }

    [Fact]
    public async Task A_message_released_without_delay_is_visible_at_once()
    {
        await Transport.SendAsync(Queue, "now", cancellationToken: Ct);
        var received = Assert.Single(await Transport.ReceiveAsync(Queue, 1, Hold, Ct));

        await Transport.ReleaseAsync(Queue, received, TimeSpan.Zero, Ct);

        Assert.Single(await Transport.ReceiveAsync(Queue, 1, Lease, Ct));
    }

    [Fact]
    public async Task Delete_with_a_stale_pop_receipt_throws_lease_lost()
    {
        await Transport.SendAsync(Queue, "contended", cancellationToken: Ct);
        var first = Assert.Single(await Transport.ReceiveAsync(Queue, 1, Lease, Ct));
        await LetTimePassAsync(Lease);
        var second = Assert.Single(await NewTransport().ReceiveAsync(Queue, 1, Lease, Ct));

        var error = await Assert.ThrowsAsync<QueueLeaseLostException>(() => Transport.DeleteAsync(Queue, first, Ct));

        Assert.Contains(first.Id, error.Message);
        await Transport.DeleteAsync(Queue, second, Ct); // the current holder's receipt still works
    }

    [Fact]
    public async Task Delete_of_an_already_deleted_message_throws_lease_lost()
    {
        await Transport.SendAsync(Queue, "once", cancellationToken: Ct);
        var received = Assert.Single(await Transport.ReceiveAsync(Queue, 1, Lease, Ct));
        await Transport.DeleteAsync(Queue, received, Ct);

        await Assert.ThrowsAsync<QueueLeaseLostException>(() => Transport.DeleteAsync(Queue, received, Ct));
    }

    [Fact]
    public async Task Release_with_a_stale_pop_receipt_throws_lease_lost()
    {
        await Transport.SendAsync(Queue, "contended", cancellationToken: Ct);
        var first = Assert.Single(await Transport.ReceiveAsync(Queue, 1, Lease, Ct));
        await LetTimePassAsync(Lease);
        Assert.Single(await NewTransport().ReceiveAsync(Queue, 1, Lease, Ct));

        await Assert.ThrowsAsync<QueueLeaseLostException>(() => Transport.ReleaseAsync(Queue, first, TimeSpan.Zero, Ct));
    }

    [Fact]
    public async Task Delete_after_release_throws_lease_lost_because_release_replaces_the_receipt()
    {
        await Transport.SendAsync(Queue, "released", cancellationToken: Ct);
        var received = Assert.Single(await Transport.ReceiveAsync(Queue, 1, Lease, Ct));
        await Transport.ReleaseAsync(Queue, received, TimeSpan.FromMinutes(5), Ct);

        await Assert.ThrowsAsync<QueueLeaseLostException>(() => Transport.DeleteAsync(Queue, received, Ct));
    }

    [Fact]
    public async Task A_message_of_exactly_64_KiB_once_encoded_is_accepted()
    {
        var text = new string('x', 48 * 1024); // base64: 65,536 characters
        Assert.Equal(QueueMessageLimits.MaxEncodedBytes, QueueMessageLimits.EncodedLength(text));

        await Transport.SendAsync(Queue, text, cancellationToken: Ct);

        Assert.Equal(text, Assert.Single(await Transport.ReceiveAsync(Queue, 1, Lease, Ct)).Text);
    }

    [Fact]
    public async Task A_message_over_64_KiB_once_encoded_throws_too_large()
    {
        var text = new string('x', 48 * 1024 + 1);

        var error = await Assert.ThrowsAsync<QueueMessageTooLargeException>(() => Transport.SendAsync(Queue, text, cancellationToken: Ct));

        Assert.Equal(65_540, error.EncodedBytes);
        Assert.Equal(0, await Transport.GetApproximateCountAsync(Queue, Ct));
    }

    [Fact]
    public async Task The_limit_counts_utf8_bytes_not_characters()
    {
        var text = new string('é', 24 * 1024 + 1); // 2 bytes each in UTF-8: just over 48 KiB

        await Assert.ThrowsAsync<QueueMessageTooLargeException>(() => Transport.SendAsync(Queue, text, cancellationToken: Ct));
    }

    [Theory]
    [InlineData("Grüße, 日本語, emoji 📬 and a surrogate pair 𝄞")]
    [InlineData("<QueueMessage><MessageText>&amp; &lt; ]]> ' \" </MessageText></QueueMessage>")]
    [InlineData("{\"mailbox\":\"a@b.example\",\"nested\":{\"list\":[1,2.5,null,true]},\"quote\":\"\\\"x\\\"\"}")]
    [InlineData("  leading and trailing spaces, tabs\t, CR LF\r\n and a lone LF\n  ")]
    [InlineData("")]
    public async Task The_message_text_round_trips_exactly(string text)
    {
        await Transport.SendAsync(Queue, text, cancellationToken: Ct);

        Assert.Equal(text, Assert.Single(await Transport.ReceiveAsync(Queue, 1, Lease, Ct)).Text);
    }

    [Fact]
    public async Task The_approximate_count_includes_leased_messages_and_drops_deleted_ones()
    {
        for (var i = 0; i < 3; i++) await Transport.SendAsync(Queue, $"m{i}", cancellationToken: Ct);
        var received = Assert.Single(await Transport.ReceiveAsync(Queue, 1, Lease, Ct));
        Assert.Equal(3, await Transport.GetApproximateCountAsync(Queue, Ct));

        await Transport.DeleteAsync(Queue, received, Ct);

        Assert.Equal(2, await Transport.GetApproximateCountAsync(Queue, Ct));
    }

    [Fact]
    public async Task The_count_of_a_queue_that_does_not_exist_is_zero()
    {
        Assert.Equal(0, await Transport.GetApproximateCountAsync("never-created-" + Guid.NewGuid().ToString("N")[..8], Ct));
    }

    [Fact]
    public async Task An_initial_visibility_delay_hides_a_new_message_for_that_long()
    {
        await Transport.SendAsync(Queue, "later", Lease, Ct);

        Assert.Empty(await Transport.ReceiveAsync(Queue, 1, Lease, Ct));
        await LetTimePassAsync(Lease);

        Assert.Equal("later", Assert.Single(await Transport.ReceiveAsync(Queue, 1, Lease, Ct)).Text);
    }

    [Fact]
    public async Task Queues_are_separate()
    {
        var otherQueue = Queue + "-other";
        await Transport.CreateIfNotExistsAsync(otherQueue, Ct);
        await Transport.SendAsync(otherQueue, "elsewhere", cancellationToken: Ct);

        Assert.Empty(await Transport.ReceiveAsync(Queue, 32, Lease, Ct));
        Assert.Single(await Transport.ReceiveAsync(otherQueue, 32, Lease, Ct));
    }

    [Fact]
    public async Task Creating_an_existing_queue_is_harmless()
    {
        await Transport.SendAsync(Queue, "kept", cancellationToken: Ct);

        await Transport.CreateIfNotExistsAsync(Queue, Ct);

        Assert.Equal(1, await Transport.GetApproximateCountAsync(Queue, Ct));
    }

    [Theory]
    [InlineData("UpperCase")]
    [InlineData("ab")]
    [InlineData("double--hyphen")]
    [InlineData("under_score")]
    public async Task An_invalid_queue_name_is_rejected_before_any_call(string queueName)
    {
        var error = await Assert.ThrowsAsync<ArgumentException>(() => Transport.SendAsync(queueName, "x", cancellationToken: Ct));

        Assert.Contains(queueName, error.Message);
    }

    [Fact]
    public async Task More_than_32_messages_per_receive_is_rejected()
    {
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Transport.ReceiveAsync(Queue, 33, Lease, Ct));
    }
}
