using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Options;
using TokenBroker.Callers;
using TokenBroker.OAuth;
using TokenBroker.OAuth.Import;

namespace TokenBroker.Functions;

/// <summary>POST /api/mailboxes/import: connects mailboxes from refresh tokens other tools hold ("admin" on each row's mailbox).</summary>
public sealed class ImportMailboxesFunction(RefreshTokenImport import, CallerAccess access, IOptions<OAuthOptions> options)
{
    [Function("ImportMailboxes")]
    public Task<IResult> RunAsync(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = ImportApi.Route)] HttpRequest request,
        CancellationToken cancellationToken) =>
        ImportApi.ImportAsync(request.HttpContext, import, access, options, cancellationToken);
}
