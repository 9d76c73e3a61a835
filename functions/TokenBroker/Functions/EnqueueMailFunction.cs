using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using TokenBroker.Callers;
using TokenBroker.Jobs.Mail;
using TokenBroker.Queues;

namespace TokenBroker.Functions;

/// <summary>POST /api/mail: checks a mail request and puts it on mail-requests (202), or says what is wrong (400); the caller needs "send" or "fetch" on the request's mailbox.</summary>
public sealed class EnqueueMailFunction(MailRequestParser parser, IQueueTransport transport, CallerAccess access)
{
    [Function("EnqueueMail")]
    public Task<IResult> RunAsync(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = EnqueueMailApi.Route)] HttpRequest request,
        CancellationToken cancellationToken) =>
        EnqueueMailApi.EnqueueAsync(request, parser, transport, access, cancellationToken);
}
