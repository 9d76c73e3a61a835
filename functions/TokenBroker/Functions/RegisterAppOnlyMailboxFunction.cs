using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Options;
using TokenBroker.OAuth;

namespace TokenBroker.Functions;

/// <summary>POST /api/mailboxes/app-only {mailbox, tenant, protocols}: connects a mailbox with client credentials.</summary>
public sealed class RegisterAppOnlyMailboxFunction(AppOnlyRegistration registration, IOptions<OAuthOptions> options)
{
    [Function("RegisterAppOnlyMailbox")]
    public Task<IResult> RunAsync(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = "mailboxes/app-only")] HttpRequest request,
        CancellationToken cancellationToken) =>
        AppOnlyApi.RegisterAsync(request.HttpContext, registration, options, cancellationToken);
}
