using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Options;
using TokenBroker.Callers;
using TokenBroker.OAuth;

namespace TokenBroker.Functions;

/// <summary>POST /api/consent/invitations {mailbox, protocols, …}: a signed, expiring consent link for one mailbox (callers with "admin" on it).</summary>
public sealed class CreateConsentInvitationFunction(CallerAccess access, ConsentInvitations invitations, IOptions<OAuthOptions> options)
{
    [Function("CreateConsentInvitation")]
    public Task<IResult> RunAsync(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = ConsentInvitationApi.Route)] HttpRequest request,
        CancellationToken cancellationToken) =>
        ConsentInvitationApi.CreateAsync(request.HttpContext, access, invitations, options, cancellationToken);
}
