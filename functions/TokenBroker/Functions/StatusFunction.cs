using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Options;
using TokenBroker.Callers;
using TokenBroker.Jobs.Status;
using TokenBroker.OAuth;
using TokenBroker.Store;

namespace TokenBroker.Functions;

/// <summary>GET /api/status: the state, reason, expiry and re-consent link of every mailbox the caller may see.</summary>
public sealed class StatusFunction(IMailboxRegistry registry, CallerAccess access, ConsentInvitations invitations, IOptions<OAuthOptions> options,
    IOptions<TokenBroker.Hosting.Configuration.BrokerOptions> broker)
{
    [Function("Status")]
    public Task<IResult> RunAsync(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = StatusApi.Route)] HttpRequest request,
        CancellationToken cancellationToken) =>
        StatusApi.GetAsync(request.HttpContext, registry, access, invitations, options, broker, cancellationToken);
}
