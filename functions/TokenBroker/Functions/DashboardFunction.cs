using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using TokenBroker.Dashboard;

namespace TokenBroker.Functions;

/// <summary>
/// GET /api/dashboard: the operator's page. Anonymous to the Functions host (a browser carries no function key): the
/// page signs people in itself and shows only what the signed-in credential covers.
/// </summary>
public sealed class DashboardFunction(DashboardEndpoints dashboard)
{
    [Function("Dashboard")]
    public Task<IResult> RunAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = DashboardEndpoints.PageRoute)] HttpRequest request,
        CancellationToken cancellationToken) =>
        dashboard.GetAsync(request.HttpContext, cancellationToken);
}
