using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace TokenBroker.Jobs.Mail;

/// <summary>
/// What the MailWorker function does with one message of mail-requests. A request that can never succeed (invalid, unknown mailbox, consent needed,
/// SMTP 5xx, …) ends here: a mail.failed event with the reason, the request on the "poison" output, and a normal
/// return so the queue does not retry it. Anything else thrown by a job is transient: the queue retries it.
/// </summary>
public sealed class MailRequestWorker(
    MailRequestParser parser,
    SendJob sendJob,
    MailEvents events,
    IServiceProvider services,
    ILogger<MailRequestWorker> logger)
{
    public async Task RunAsync(string messageText, InvocationOutputs context, CancellationToken cancellationToken)
    {
        var request = parser.Parse(messageText);
        if (!request.IsValid)
        {
            Reject(context, messageText, request, string.Join(" ", request.Problems));
            return;
        }
        try
        {
            if (request.Send is { } send)
            {
                await sendJob.RunAsync(send, context, cancellationToken).ConfigureAwait(false);
                return;
            }
            // Resolved per request: the fetch side is optional in a build, and its absence is a permanent answer.
            var fetchJob = services.GetService<IFetchJob>()
                ?? throw new MailRequestRejectedException("fetch is not available in this build.");
            await fetchJob.RunAsync(request.Fetch!, context, cancellationToken).ConfigureAwait(false);
        }
        catch (MailRequestRejectedException rejected)
        {
            Reject(context, messageText, request, rejected.Reason);
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
