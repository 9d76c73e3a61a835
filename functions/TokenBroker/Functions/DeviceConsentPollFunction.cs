using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Options;
using TokenBroker.Callers;
using TokenBroker.OAuth;
using TokenBroker.OAuth.DeviceCode;

namespace TokenBroker.Functions;

/// <summary>POST /api/consent/device/poll: whether someone signed in with the device code yet, then the consent's outcome.</summary>
public sealed class DeviceConsentPollFunction(RemoteDeviceConsent consent, CallerAccess access, IOptions<OAuthOptions> options)
{
    [Function("DeviceConsentPoll")]
    public Task<IResult> RunAsync(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = DeviceConsentApi.PollRoute)] HttpRequest request,
        CancellationToken cancellationToken) =>
        DeviceConsentApi.PollAsync(request.HttpContext, consent, access, options, cancellationToken);
}
