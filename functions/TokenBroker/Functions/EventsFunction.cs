using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using TokenBroker.Callers;
using TokenBroker.Jobs.Events.Journal;

namespace TokenBroker.Functions;

/// <summary>GET /api/events?mailbox=&amp;limit=: the recent events about mailboxes the caller may see.</summary>
public sealed class EventsFunction(CallerAccess access, IEventJournal journal)
{
    [Function("Events")]
    public Task<IResult> RunAsync(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = EventsApi.Route)] HttpRequest request,
        CancellationToken cancellationToken) =>
        EventsApi.GetAsync(request.HttpContext, access, journal, cancellationToken);
}
