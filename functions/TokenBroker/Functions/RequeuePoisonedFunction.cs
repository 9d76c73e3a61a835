using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using TokenBroker.Callers;
using TokenBroker.Jobs.Queues;

namespace TokenBroker.Functions;

/// <summary>POST /api/queues/poisoned/{id}/requeue: puts a poisoned mail request back on mail-requests (admin).</summary>
public sealed class RequeuePoisonedFunction(CallerAccess access, PoisonedRequests poisoned)
{
    [Function("RequeuePoisoned")]
    public Task<IResult> RunAsync(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = QueuesApi.RequeueRoute)] HttpRequest request,
        string id,
        CancellationToken cancellationToken) =>
        QueuesApi.RequeueAsync(request.HttpContext, id, access, poisoned, cancellationToken);
}
