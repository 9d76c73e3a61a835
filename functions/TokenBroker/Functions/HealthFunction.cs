using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using TokenBroker.Hosting.Health;

namespace TokenBroker.Functions;

/// <summary>GET /api/health (anonymous): what runs, how, and how deep every queue is.</summary>
public sealed class HealthFunction(HealthReporter reporter)
{
    [Function("Health")]
    public async Task<IResult> RunAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "health")] HttpRequest request,
        CancellationToken cancellationToken) =>
        TypedResults.Ok(await reporter.ReportAsync(cancellationToken).ConfigureAwait(false));
}
