using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using TokenBroker.Dashboard;

namespace TokenBroker.Functions;

/// <summary>POST /api/dashboard/{action}: the dashboard's forms (sign-in, then CSRF-checked actions of the signed-in credential).</summary>
public sealed class DashboardFormFunction(DashboardEndpoints dashboard)
{
    [Function("DashboardForm")]
    public Task<IResult> RunAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = DashboardEndpoints.ActionRoute)] HttpRequest request,
        string action,
        CancellationToken cancellationToken) =>
        dashboard.PostAsync(request.HttpContext, action, cancellationToken);
}
