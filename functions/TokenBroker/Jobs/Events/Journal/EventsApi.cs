using Microsoft.AspNetCore.Http;
using TokenBroker.Callers;
using TokenBroker.OAuth;

namespace TokenBroker.Jobs.Events.Journal;

/// <summary>GET events?mailbox=&amp;limit=: the recent events (newest first) about mailboxes the caller's "status" scope covers.</summary>
public static class EventsApi
{
    public const string Route = "events";
    public const int DefaultLimit = 50;

    public sealed record EventList(IReadOnlyList<System.Text.Json.JsonElement> Events);

    public static async Task<IResult> GetAsync(HttpContext context, CallerAccess access, IEventJournal journal, CancellationToken cancellationToken)
    {
        var (caller, refusal) = await access.AuthenticateAsync(context, cancellationToken);
        if (refusal is not null) return refusal;
        if (CallerAccess.Authorize(caller!, CallerOperations.Status) is { } forbidden) return forbidden;
        var query = context.Request.Query;
        var limit = DefaultLimit;
        if (query["limit"].FirstOrDefault() is { } limitText && (!int.TryParse(limitText, out limit) || limit < 1 || limit > IEventJournal.Capacity))
            return TypedResults.Problem(detail: $"limit must be a whole number from 1 to {IEventJournal.Capacity}.", statusCode: StatusCodes.Status400BadRequest, title: "Bad limit");
        string? mailbox = null;
        if (query["mailbox"].FirstOrDefault() is { Length: > 0 } mailboxText && !AddressInput.TryNormalize(mailboxText, out mailbox, out var error))
            return TypedResults.Problem(detail: error, statusCode: StatusCodes.Status400BadRequest, title: "Bad mailbox address");
        var events = await VisibleAsync(journal, caller!, mailbox, limit, cancellationToken);
        context.Response.Headers.CacheControl = "no-store";
        return TypedResults.Json(new EventList(events.Select(e => System.Text.Json.JsonDocument.Parse(e.Json).RootElement.Clone()).ToList()));
    }

    /// <summary>The newest events the caller may read (about a mailbox its status scope covers), optionally about one mailbox only.</summary>
    public static async Task<IReadOnlyList<RecordedEvent>> VisibleAsync(IEventJournal journal, Caller caller, string? mailbox, int limit, CancellationToken cancellationToken) =>
        (await journal.ReadAsync(IEventJournal.Capacity, cancellationToken))
            .Where(e => Concerns(e, caller, mailbox))
            .Take(limit)
            .ToList();

    private static bool Concerns(RecordedEvent recorded, Caller caller, string? mailbox)
    {
        var about = recorded.Mailboxes();
        if (about.Count == 0) return mailbox is null && caller.May(CallerOperations.Status, "*");
        return about.Any(m => caller.May(CallerOperations.Status, m) && (mailbox is null || AddressInput.SameAddress(m, mailbox)));
    }
}
