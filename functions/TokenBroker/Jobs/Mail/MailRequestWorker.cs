using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

using TokenBroker.Jobs.Mail.Governor;
using TokenBroker.Jobs.Telemetry;
using TokenBroker.Queues;

namespace TokenBroker.Jobs.Mail;

/// <summary>
/// What the MailWorker function does with one message of mail-requests. A request that can never succeed (invalid, unknown mailbox, consent needed,
/// SMTP 5xx, …) ends here: a mail.failed event with the reason, the request on the "poison" output, and a normal
/// return so the queue does not retry it. A mailbox that may not send now (its limits are spent, the server throttles
/// it) puts the request back on the queue, hidden until its turn, as a new message: waiting is not failing, so it does
/// not count towards the poison queue's dequeue limit. Anything else thrown by a job is transient: the queue retries it.
/// </summary>
public sealed class MailRequestWorker(
    MailRequestParser parser,
    SendJob sendJob,
    MailEvents events,
    BrokerMetrics metrics,
    IServiceProvider services,
    ILogger<MailRequestWorker> logger)
{
    private static readonly TimeSpan MinPostpone = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan MaxPostpone = TimeSpan.FromHours(1);

    public async Task RunAsync(string messageText, InvocationOutputs context, CancellationToken cancellationToken)
    {
        var request = parser.Parse(messageText);
        if (!request.IsValid)
        {
            Reject(context, messageText, request, string.Join(" ", request.Problems));
            RecordOutcome(request, context);
            await KeepEventsAsync(context, cancellationToken).ConfigureAwait(false);
            return;
        }
        try
        {
            if (request.Send is { } send)
                await sendJob.RunAsync(send, context, cancellationToken).ConfigureAwait(false);
            else
            {
                // Resolved per request: the fetch side is optional in a build, and its absence is a permanent answer.
                var fetchJob = services.GetService<IFetchJob>()
                    ?? throw new MailRequestRejectedException("fetch is not available in this build.");
                await fetchJob.RunAsync(request.Fetch!, context, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (MailRequestRejectedException rejected)
        {
            Reject(context, messageText, request, rejected.Reason);
        }
        catch (MailboxNotNowException notNow) when (services.GetService<IQueueTransport>() is { } queues && !cancellationToken.IsCancellationRequested)
        {
            await PostponeAsync(queues, messageText, request, notNow, cancellationToken).ConfigureAwait(false);
            await KeepEventsAsync(context, cancellationToken).ConfigureAwait(false); // a mail.throttled the job raised
            return;
        }
        catch (Exception) when (!cancellationToken.IsCancellationRequested)
        {
            metrics.RecordMailRequest(request.Kind, "retried");
            throw;
        }
        RecordOutcome(request, context);
        await KeepEventsAsync(context, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The same request text as a new message, visible again once the mailbox may send (at least a moment, at most an
    /// hour, then it looks again). Sent before this message completes: a crash in between leaves two copies, and the
    /// ledger's idempotency key sends it once.
    /// </summary>
    private async Task PostponeAsync(IQueueTransport queues, string messageText, ParsedMailRequest request, MailboxNotNowException notNow, CancellationToken cancellationToken)
    {
        var delay = TimeSpan.FromTicks(Math.Clamp(notNow.RetryAfter.Ticks, MinPostpone.Ticks, MaxPostpone.Ticks));
        await queues.SendAsync(TokenBroker.Functions.MailWorkerFunction.QueueName, messageText, delay, cancellationToken).ConfigureAwait(false);
        metrics.RecordMailRequest(request.Kind, "postponed");
        logger.LogInformation("Mail request {RequestId} of {Mailbox} waits {Delay} on the queue: {Reason}", request.Id, notNow.Mailbox, delay, notNow.Message);
    }

    /// <summary>The events also go to the journal people read (when one is registered); the queue output stays the record.</summary>
    private Task KeepEventsAsync(InvocationOutputs context, CancellationToken cancellationToken) =>
        services.GetService<TokenBroker.Jobs.Events.Journal.EventRecorder>()?.RecordAsync(context[MailEvents.OutputBinding], cancellationToken) ?? Task.CompletedTask;

    /// <summary>The outcome the request's events report (mail.sent, mail.duplicate, mail.fetched, mail.failed).</summary>
    private void RecordOutcome(ParsedMailRequest request, InvocationOutputs context)
    {
        foreach (var text in context[MailEvents.OutputBinding] ?? [])
        {
            using var json = JsonDocument.Parse(text);
            if (json.RootElement.TryGetProperty("type", out var type) && type.GetString() is { } name && name.StartsWith("mail.", StringComparison.Ordinal))
                metrics.RecordMailRequest(request.Kind, name["mail.".Length..]);
        }
    }

    private void Reject(InvocationOutputs context, string originalText, ParsedMailRequest request, string reason)
    {
        logger.LogWarning("Mail request {RequestId} ({Kind}) of {Mailbox} failed for good: {Reason}", request.Id ?? "(no id)", request.Kind ?? "?", request.Mailbox ?? "?", reason);
        events.Failed(context, request.Mailbox, request.Id, request.Kind, reason);
        context.AddOutput(MailEvents.PoisonBinding, PoisonText(originalText, reason));
    }

    /// <summary>The original request when it is JSON (so it can be fixed and resubmitted as is); otherwise a JSON
    /// wrapper holding the text, because queue outputs carry JSON.</summary>
    internal static string PoisonText(string originalText, string reason)
    {
        try
        {
            using var _ = JsonDocument.Parse(originalText);
            return originalText;
        }
        catch (JsonException)
        {
            return JsonSerializer.Serialize(new { version = 1, unparsedRequest = originalText, reason });
        }
    }
}
