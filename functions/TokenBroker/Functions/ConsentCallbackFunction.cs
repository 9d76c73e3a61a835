using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using TokenBroker.OAuth;

namespace TokenBroker.Functions;

/// <summary>
/// GET /api/consent/callback: the redirect URI. Anonymous because the identity provider sends the admin's browser
/// here without a key; the signed, single-use state is what authorizes it.
/// </summary>
public sealed class ConsentCallbackFunction(ConsentCallback callback)
{
    [Function("ConsentCallback")]
    public Task<IResult> RunAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "consent/callback")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        var query = request.Query;
        return ConsentApi.CallbackAsync(query["code"], query["state"], query["error"], query["error_description"], query["admin_consent"], query["tenant"],
            callback, cancellationToken);
    }
}
