using System.Text.Json;
using Microsoft.Extensions.Logging;
using TokenBroker.Functions;
using TokenBroker.Jobs.Events.Journal;
using TokenBroker.Queues;

namespace TokenBroker.Jobs.Queues;

/// <summary>One queue and about how many messages wait in it.</summary>
public sealed record QueueDepth(string Queue, int Messages);

/// <summary>A mail request that failed for good, with why (from its mail.failed event, when the journal still has it).</summary>
public sealed record PoisonedRequest(string Id, string? Mailbox, string? RequestId, string? Kind, DateTimeOffset PoisonedAt, string Reason);

/// <summary>
/// The operator's view of the queues: depths, the poisoned mail requests with their reasons, and requeueing one (it goes
/// back to mail-requests as it was, and leaves the poison queue). Only the oldest <see cref="MaxListed"/> are listed.
/// </summary>
public sealed class PoisonedRequests(IQueueTransport queues, IEventJournal journal, ILogger<PoisonedRequests> logger)
{
    public const int MaxListed = 32;
    private static readonly TimeSpan RequeueLease = TimeSpan.FromSeconds(30);
    private const string NoRecordedReason = "No reason is recorded (the request failed on every attempt, or its mail.failed event is no longer among the recent events); see the broker's log.";

    public static readonly IReadOnlyList<string> WatchedQueues = [MailWorkerFunction.QueueName, MailWorkerFunction.PoisonQueueName, MailWorkerFunction.EventsQueueName];

    public async Task<IReadOnlyList<QueueDepth>> DepthsAsync(CancellationToken cancellationToken)
    {
        var depths = new List<QueueDepth>();
        foreach (var queue in WatchedQueues)
            depths.Add(new QueueDepth(queue, await queues.GetApproximateCountAsync(queue, cancellationToken).ConfigureAwait(false)));
        return depths;
    }

    /// <param name="visible">Which mailboxes the reader may see (a request naming no mailbox is shown only to those who may see every one: "*").</param>
    public async Task<IReadOnlyList<PoisonedRequest>> ListAsync(Func<string, bool> visible, CancellationToken cancellationToken)
    {
        var peeked = await queues.PeekAsync(MailWorkerFunction.PoisonQueueName, MaxListed, cancellationToken).ConfigureAwait(false);
        var reasons = (await journal.ReadAsync(IEventJournal.Capacity, cancellationToken).ConfigureAwait(false))
            .Where(e => e.Type == "mail.failed" && e.RequestId is not null && e.Reason is not null)
            .GroupBy(e => e.RequestId!)
            .ToDictionary(g => g.Key, g => g.First().Reason!);
        return peeked.Select(m => Describe(m, reasons)).Where(r => visible(r.Mailbox ?? "*")).ToList();
    }

    /// <summary>Moves the poisoned request back to mail-requests; null when it is not (or no longer) in the poison queue.</summary>
    public async Task<PoisonedRequest?> RequeueAsync(string id, Func<string, bool> allowed, CancellationToken cancellationToken)
    {
        // A queue has no "receive by id": lease a batch, take the one asked for, and let the others go at once.
        var leased = await queues.ReceiveAsync(MailWorkerFunction.PoisonQueueName, MaxListed, RequeueLease, cancellationToken).ConfigureAwait(false);
        PoisonedRequest? requeued = null;
        foreach (var message in leased)
        {
            var described = Describe(new PeekedQueueMessage(message.Id, message.Text, message.DequeueCount, message.InsertionTime), new Dictionary<string, string>());
            if (requeued is null && message.Id == id && allowed(described.Mailbox ?? "*"))
            {
                // Send before delete: a crash in between leaves a duplicate in the poison queue, never a lost request.
                await queues.SendAsync(MailWorkerFunction.QueueName, message.Text, cancellationToken: cancellationToken).ConfigureAwait(false);
                await queues.DeleteAsync(MailWorkerFunction.PoisonQueueName, message, cancellationToken).ConfigureAwait(false);
                logger.LogInformation("Poisoned request {MessageId} ({RequestId}) of {Mailbox} requeued to {Queue}.", message.Id, described.RequestId, described.Mailbox, MailWorkerFunction.QueueName);
                requeued = described;
                continue;
            }
            await queues.ReleaseAsync(MailWorkerFunction.PoisonQueueName, message, TimeSpan.Zero, CancellationToken.None).ConfigureAwait(false);
        }
        return requeued;
    }

    private static PoisonedRequest Describe(PeekedQueueMessage message, IReadOnlyDictionary<string, string> reasons)
    {
        string? mailbox = null, requestId = null, kind = null, embeddedReason = null;
        try
        {
            using var document = JsonDocument.Parse(message.Text);
            var root = document.RootElement;
            if (root.ValueKind == JsonValueKind.Object)
            {
                kind = Text(root, "kind");
                requestId = Text(root, "id");
                mailbox = kind == "send" ? Text(root, "from") : Text(root, "mailbox");
                mailbox ??= Text(root, "mailbox") ?? Text(root, "from");
                embeddedReason = Text(root, "reason");
            }
        }
        catch (JsonException)
        {
            embeddedReason = "The message is not JSON.";
        }
        var reason = requestId is not null && reasons.TryGetValue(requestId, out var recorded) ? recorded : embeddedReason ?? NoRecordedReason;
        return new PoisonedRequest(message.Id, mailbox, requestId, kind, message.InsertionTime, reason);
    }

    private static string? Text(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
