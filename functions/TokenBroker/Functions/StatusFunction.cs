using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Options;
using TokenBroker.Jobs.Status;
using TokenBroker.OAuth;
using TokenBroker.Store;

namespace TokenBroker.Functions;

/// <summary>GET /api/status: every mailbox's state, reason, expiry and re-consent link.</summary>
public sealed class StatusFunction(IMailboxRegistry registry, IOptions<OAuthOptions> options)
{
    [Function("Status")]
    public Task<IResult> RunAsync(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = StatusApi.Route)] HttpRequest request,
        CancellationToken cancellationToken) =>
        StatusApi.GetAsync(request.HttpContext, registry, options, cancellationToken);
}
