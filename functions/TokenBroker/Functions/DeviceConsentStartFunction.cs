using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Options;
using TokenBroker.Callers;
using TokenBroker.OAuth;
using TokenBroker.OAuth.DeviceCode;

namespace TokenBroker.Functions;

/// <summary>POST /api/consent/device: starts a device-code consent the broker runs (callers with "admin" on the mailbox).</summary>
public sealed class DeviceConsentStartFunction(RemoteDeviceConsent consent, CallerAccess access, IOptions<OAuthOptions> options)
{
    [Function("DeviceConsentStart")]
    public Task<IResult> RunAsync(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = DeviceConsentApi.StartRoute)] HttpRequest request,
        CancellationToken cancellationToken) =>
        DeviceConsentApi.StartAsync(request.HttpContext, consent, access, options, cancellationToken);
}
