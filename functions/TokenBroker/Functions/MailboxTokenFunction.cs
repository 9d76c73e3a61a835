using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Options;
using TokenBroker.OAuth;

namespace TokenBroker.Functions;

/// <summary>GET /api/mailboxes/{address}/token: a current access token for a legacy app (admin key only).</summary>
public sealed class MailboxTokenFunction(IMailboxTokenProvider tokens, IOptions<OAuthOptions> options)
{
    [Function("MailboxToken")]
    public Task<IResult> RunAsync(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "mailboxes/{address}/token")] HttpRequest request,
        string address,
        CancellationToken cancellationToken) =>
        TokenApi.GetTokenAsync(request.HttpContext, address, tokens, options, cancellationToken);
}
