using Microsoft.AspNetCore.Http;
using TokenBroker.Callers;

namespace TokenBroker.Jobs.Queues;

/// <summary>
/// GET queues: the depths of the broker's queues and the poisoned mail requests ("status"; requests only of mailboxes the
/// scope covers). POST queues/poisoned/{id}/requeue: puts one back on mail-requests ("admin" on its mailbox).
/// </summary>
public static class QueuesApi
{
    public const string Route = "queues";
    public const string RequeueRoute = "queues/poisoned/{id}/requeue";

    public sealed record QueuesReport(IReadOnlyList<QueueDepth> Depths, IReadOnlyList<PoisonedRequest> Poisoned);

    public static async Task<IResult> GetAsync(HttpContext context, CallerAccess access, PoisonedRequests poisoned, CancellationToken cancellationToken)
    {
        var (caller, refusal) = await access.AuthenticateAsync(context, cancellationToken);
        if (refusal is not null) return refusal;
        if (CallerAccess.Authorize(caller!, CallerOperations.Status) is { } forbidden) return forbidden;
        var depths = await poisoned.DepthsAsync(cancellationToken);
        var requests = await poisoned.ListAsync(m => caller!.May(CallerOperations.Status, m), cancellationToken);
        context.Response.Headers.CacheControl = "no-store";
        return TypedResults.Json(new QueuesReport(depths, requests));
    }

    public static async Task<IResult> RequeueAsync(HttpContext context, string id, CallerAccess access, PoisonedRequests poisoned, CancellationToken cancellationToken)
    {
        var (caller, refusal) = await access.AuthenticateAsync(context, cancellationToken);
        if (refusal is not null) return refusal;
        if (CallerAccess.Authorize(caller!, CallerOperations.Admin) is { } forbidden) return forbidden;
        if (id.Length is 0 or > 128)
            return TypedResults.Problem(detail: "The message id is empty or too long.", statusCode: StatusCodes.Status400BadRequest, title: "Bad message id");
        var requeued = await poisoned.RequeueAsync(id, m => caller!.May(CallerOperations.Admin, m), cancellationToken);
        return requeued is null
            ? TypedResults.Problem(detail: $"No poisoned request {id} that you administer is waiting in the poison queue (it may have been requeued already).", statusCode: StatusCodes.Status404NotFound, title: "Not found")
            : TypedResults.Json(requeued);
    }
}
