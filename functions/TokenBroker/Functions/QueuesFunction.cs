using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using TokenBroker.Callers;
using TokenBroker.Jobs.Queues;

namespace TokenBroker.Functions;

/// <summary>GET /api/queues: queue depths and the poisoned mail requests with their reasons.</summary>
public sealed class QueuesFunction(CallerAccess access, PoisonedRequests poisoned)
{
    [Function("Queues")]
    public Task<IResult> RunAsync(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = QueuesApi.Route)] HttpRequest request,
        CancellationToken cancellationToken) =>
        QueuesApi.GetAsync(request.HttpContext, access, poisoned, cancellationToken);
}
