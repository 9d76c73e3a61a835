using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Options;
using TokenBroker.OAuth;

namespace TokenBroker.Functions;

/// <summary>GET /api/consent/admin[?tenant=]: redirects to the tenant's admin consent for the app-only permissions (anonymous: only a tenant admin can grant there).</summary>
public sealed class ConsentAdminFunction(IOptions<OAuthOptions> options)
{
    [Function("ConsentAdmin")]
    public IResult Run([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "consent/admin")] HttpRequest request) =>
        ConsentApi.AdminConsent(request.Query["tenant"], options);
}
