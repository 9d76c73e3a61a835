using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Options;
using TokenBroker.OAuth;

namespace TokenBroker.Functions;

/// <summary>GET /api/consent/start?mailbox=&amp;protocols=[&amp;delegate=][&amp;tenant=]: redirects an administrator to the sign-in.</summary>
public sealed class ConsentStartFunction(ConsentStart consentStart, IOptions<OAuthOptions> options)
{
    [Function("ConsentStart")]
    public Task<IResult> RunAsync(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "consent/start")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        var query = request.Query;
        return ConsentApi.StartAsync(request.HttpContext, query["mailbox"], query["protocols"], query["delegate"], query["tenant"],
            consentStart, options, cancellationToken);
    }
}
