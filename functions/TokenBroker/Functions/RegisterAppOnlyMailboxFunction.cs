using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Options;
using TokenBroker.Callers;
using TokenBroker.OAuth;

namespace TokenBroker.Functions;

/// <summary>POST /api/mailboxes/app-only {mailbox, tenant, protocols}: connects a mailbox with client credentials (callers with "admin" on it).</summary>
public sealed class RegisterAppOnlyMailboxFunction(AppOnlyRegistration registration, CallerAccess access, IOptions<OAuthOptions> options)
{
    [Function("RegisterAppOnlyMailbox")]
    public Task<IResult> RunAsync(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = "mailboxes/app-only")] HttpRequest request,
        CancellationToken cancellationToken) =>
        AppOnlyApi.RegisterAsync(request.HttpContext, registration, access, options, cancellationToken);
}
