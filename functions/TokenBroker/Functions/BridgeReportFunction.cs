using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using TokenBroker.Bridge.Reports;
using TokenBroker.Callers;

namespace TokenBroker.Functions;

/// <summary>PUT /api/bridge/status: a remote `tokenbroker bridge` reports its counters (see <see cref="BridgeReportsApi"/>).</summary>
public sealed class BridgeReportFunction(CallerAccess access, IBridgeReports reports, TimeProvider time)
{
    [Function("BridgeReport")]
    public Task<IResult> RunAsync(
        [HttpTrigger(AuthorizationLevel.Function, "put", Route = BridgeReportsApi.Route)] HttpRequest request,
        CancellationToken cancellationToken) =>
        BridgeReportsApi.PutAsync(request.HttpContext, access, reports, time, cancellationToken);
}
