using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Options;
using TokenBroker.Callers;
using TokenBroker.OAuth;

namespace TokenBroker.Functions;

/// <summary>
/// GET /api/mailboxes/{address}/token: a current access token for a legacy app (callers with "token" on the mailbox);
/// POST with the app's bridge secret: the same for a remote `tokenbroker bridge` (see <see cref="TokenApi"/>).
/// </summary>
public sealed class MailboxTokenFunction(IMailboxTokenProvider tokens, CallerAccess access, IOptions<OAuthOptions> options, BridgeSecretCheck bridgeSecrets,
    TokenBroker.Bridge.BridgeRefusalEvents refusalEvents)
{
    [Function("MailboxToken")]
    public Task<IResult> RunAsync(
        [HttpTrigger(AuthorizationLevel.Function, "get", "post", Route = "mailboxes/{address}/token")] HttpRequest request,
        string address,
        CancellationToken cancellationToken) =>
        TokenApi.GetTokenAsync(request.HttpContext, address, tokens, access, options, bridgeSecrets, refusalEvents, cancellationToken);
}
