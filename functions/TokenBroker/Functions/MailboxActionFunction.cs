using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using TokenBroker.Callers;
using TokenBroker.Jobs.Mailboxes;

namespace TokenBroker.Functions;

/// <summary>POST /api/mailboxes/{address}/refresh|disable|enable|probe: an operator's action on one mailbox (callers with "admin" on it).</summary>
public sealed class MailboxActionFunction(CallerAccess access, MailboxActions actions, MailboxProbe probe)
{
    [Function("MailboxAction")]
    public Task<IResult> RunAsync(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = MailboxActionsApi.ActionRoute)] HttpRequest request,
        string address,
        string action,
        CancellationToken cancellationToken) =>
        MailboxActionsApi.PostAsync(request.HttpContext, address, action, access, actions, probe, cancellationToken);
}
