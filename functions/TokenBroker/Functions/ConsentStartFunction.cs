using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Options;
using TokenBroker.OAuth;

namespace TokenBroker.Functions;

/// <summary>
/// GET /api/consent/start?invitation=…: sends the invited person to the sign-in. Anonymous: the signed invitation an
/// admin issued is the credential, so no key ever sits in a link.
/// </summary>
public sealed class ConsentStartFunction(ConsentInvitations invitations, ConsentStart consentStart, IOptions<OAuthOptions> options)
{
    [Function("ConsentStart")]
    public Task<IResult> RunAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "consent/start")] HttpRequest request,
        CancellationToken cancellationToken) =>
        ConsentApi.StartAsync(request.Query["invitation"], invitations, consentStart, options, cancellationToken);
}
