using System.Text.Json;
using Microsoft.AspNetCore.Http;
using TokenBroker.Callers;
using TokenBroker.Hosting;
using TokenBroker.OAuth;

namespace TokenBroker.Bridge.Reports;

/// <summary>
/// PUT bridge/status with {"counters": [{app, mailbox, protocol, sessions, messages, refusals}]}: a remote bridge's
/// counters since it started, replacing its last report; <c>GET /api/status</c> shows them under <c>remoteBridges</c>.
/// The caller is the bridge's own client, and every counter's mailbox must be covered by its <c>token</c> right (the one
/// it logs apps in with), so no client can write figures about mailboxes it does not serve.
/// </summary>
public static class BridgeReportsApi
{
    public const string Route = "bridge/status";
    public const int MaxCounters = 10_000;
    private const int MaxBodyBytes = 2 * 1024 * 1024;
    private const int MaxAppNameLength = 200;
    private static readonly string[] Protocols = ["smtp", "imap", "pop3"];
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public sealed record BridgeReportRequest(IReadOnlyList<BridgeCounters>? Counters);

    public static async Task<IResult> PutAsync(HttpContext context, CallerAccess access, IBridgeReports reports, TimeProvider time, CancellationToken cancellationToken)
    {
        var (caller, refusal) = await access.AuthenticateAsync(context, cancellationToken);
        if (refusal is not null) return refusal;
        if (CallerAccess.Authorize(caller!, CallerOperations.Token) is { } forbidden) return forbidden;
        if (JsonRequests.RequireJson(context.Request) is { } notJson) return notJson;
        var request = await JsonRequests.ReadAsync<BridgeReportRequest>(context.Request, MaxBodyBytes, cancellationToken, Json);
        if (request?.Counters is not { } counters)
            return JsonRequests.BadRequest("Send {\"counters\": [{\"app\", \"mailbox\", \"protocol\", \"sessions\", \"messages\", \"refusals\"}, …]} (at most 2 MB of JSON).");
        if (counters.Count > MaxCounters)
            return JsonRequests.BadRequest($"A report holds at most {MaxCounters} counters; this one has {counters.Count}.");

        var valid = new List<BridgeCounters>(counters.Count);
        foreach (var counter in counters)
        {
            if (Validate(counter, out var normalized) is { } problem) return JsonRequests.BadRequest(problem);
            valid.Add(normalized!);
        }
        var outside = valid.Select(c => c.Mailbox).Where(m => m != BridgeActivity.AnyMailbox && !caller!.May(CallerOperations.Token, m))
            .Distinct(StringComparer.Ordinal).ToList();
        if (outside.Count > 0)
            return TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Mailboxes outside this client's scope",
                detail: $"Client '{caller!.Name}' has no token right on {string.Join(", ", outside.Take(5))}{(outside.Count > 5 ? $" and {outside.Count - 5} more" : "")}: " +
                        "a bridge reports only the mailboxes its own credential serves. Nothing was stored.");

        if (!await reports.SaveAsync(new RemoteBridgeReport(caller!.Name, time.GetUtcNow(), valid), cancellationToken))
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Too many bridges",
                detail: $"{IBridgeReports.MaxBridges} other bridges have reported already; remove the clients of bridges that no longer run (and their reports) first.");
        return TypedResults.NoContent();
    }

    private static string? Validate(BridgeCounters? counter, out BridgeCounters? normalized)
    {
        normalized = null;
        if (counter is null) return "A counter is null.";
        if (string.IsNullOrWhiteSpace(counter.App) || counter.App.Length > MaxAppNameLength)
            return $"Each counter names its app (1-{MaxAppNameLength} characters).";
        if (!Protocols.Contains(counter.Protocol, StringComparer.Ordinal))
            return $"A counter's protocol is smtp, imap or pop3, not '{Shorten(counter.Protocol)}'.";
        if (counter.Sessions < 0 || counter.Messages < 0 || counter.Refusals < 0)
            return "Sessions, messages and refusals are counts (0 or more).";
        // Wrong secrets prove no name: the bridge counts them for an unknown app on no particular mailbox.
        if (counter is { App: BridgeActivity.UnknownApp, Mailbox: BridgeActivity.AnyMailbox })
        {
            normalized = counter;
            return null;
        }
        if (!AddressInput.TryNormalize(counter.Mailbox, out var mailbox, out var error))
            return $"A counter's mailbox '{Shorten(counter.Mailbox)}' is not an address: {error}";
        normalized = counter with { Mailbox = mailbox };
        return null;
    }

    private static string Shorten(string? text) => text is null ? "" : text.Length <= 80 ? text : text[..80] + "…";
}
