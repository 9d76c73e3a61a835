using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using TokenBroker.Callers;
using TokenBroker.Jobs.Mailboxes;

namespace TokenBroker.Functions;

/// <summary>DELETE /api/mailboxes/{address}: removes the mailbox and its tokens (callers with "admin" on it).</summary>
public sealed class RemoveMailboxFunction(CallerAccess access, MailboxActions actions, MailboxProbe probe)
{
    [Function("RemoveMailbox")]
    public Task<IResult> RunAsync(
        [HttpTrigger(AuthorizationLevel.Function, "delete", Route = MailboxActionsApi.RemoveRoute)] HttpRequest request,
        string address,
        CancellationToken cancellationToken) =>
        MailboxActionsApi.DeleteAsync(request.HttpContext, address, access, actions, probe, cancellationToken);
}
