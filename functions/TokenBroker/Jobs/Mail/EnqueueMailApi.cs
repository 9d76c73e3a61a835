using Microsoft.AspNetCore.Http;
using TokenBroker.Hosting;
using Microsoft.AspNetCore.Http.HttpResults;
using TokenBroker.Queues;
using TokenBroker.Callers;

namespace TokenBroker.Jobs.Mail;

/// <summary>
/// POST /api/mail (authLevel function): checks a mail request with the worker's own parser and puts the original JSON
/// on mail-requests. 202 {id} when queued; 400 {problems: [sentences]} when the request could never succeed.
/// </summary>
public static class EnqueueMailApi
{
    public const string Route = "mail";

    /// <summary>Bodies above this cannot become a queue message (64 KiB once base64-encoded) anyway.</summary>
    private const int MaxBodyBytes = 64 * 1024;

    public static async Task<IResult> EnqueueAsync(
        HttpRequest request, MailRequestParser parser, IQueueTransport transport, CallerAccess access, CancellationToken cancellationToken)
    {
        var (caller, refusal) = await access.AuthenticateAsync(request.HttpContext, cancellationToken);
        if (refusal is not null) return refusal;
        if (JsonRequests.RequireJson(request) is { } notJson) return notJson;
        var body = await request.Body.ReadCappedAsync(MaxBodyBytes, cancellationToken);
        if (body is null)
            return TypedResults.BadRequest(new MailRequestProblems([$"The request body is larger than {MaxBodyBytes} bytes; a queue message holds at most 64 KiB once encoded, so put large attachments elsewhere."]));
        var text = System.Text.Encoding.UTF8.GetString(body);
        var parsed = parser.Parse(text);
        if (!parsed.IsValid)
            return TypedResults.BadRequest(new MailRequestProblems(parsed.Problems));
        var operation = parsed.Fetch is not null ? CallerOperations.Fetch : CallerOperations.Send;
        if (CallerAccess.Authorize(caller!, operation, parsed.Mailbox!) is { } forbidden) return forbidden;
        if (QueueMessageLimits.EncodedLength(text) > QueueMessageLimits.MaxEncodedBytes)
            return TypedResults.BadRequest(new MailRequestProblems([$"The request is {QueueMessageLimits.EncodedLength(text)} bytes once base64-encoded for the queue; the limit is {QueueMessageLimits.MaxEncodedBytes}."]));
        await transport.CreateIfNotExistsAsync(TokenBroker.Functions.MailWorkerFunction.QueueName, cancellationToken);
        await transport.SendAsync(TokenBroker.Functions.MailWorkerFunction.QueueName, text, cancellationToken: cancellationToken);
        return TypedResults.Accepted((string?)null, new EnqueuedMailRequest(parsed.Id!, parsed.Kind!));
    }
}

public sealed record EnqueuedMailRequest(string Id, string Kind);

public sealed record MailRequestProblems(IReadOnlyList<string> Problems);
