using System.Text;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using TokenBroker.Callers;
using TokenBroker.Hosting;

namespace TokenBroker.OAuth.Import;

/// <summary>
/// POST mailboxes/import: the rows of an import file (docs/import.md, JSON array) imported by a running broker. Each
/// row's mailbox needs "admin" in the caller's scope (rows outside it are reported, not imported). At most
/// <see cref="MaxRows"/> rows per request, so that one request stays within an HTTP timeout (`tokenbroker import
/// --url` sends larger files in parts). Answers 200 with one result per row; never echoes a token.
/// </summary>
public static class ImportApi
{
    public const string Route = "mailboxes/import";
    public const int MaxRows = 100;
    private const int MaxBodyBytes = 2 * 1024 * 1024;

    public sealed record RowResult(
        [property: JsonPropertyName("line")] int Line,
        [property: JsonPropertyName("mailbox")] string? Mailbox,
        [property: JsonPropertyName("imported")] bool Imported,
        [property: JsonPropertyName("title")] string Title,
        [property: JsonPropertyName("detail")] IReadOnlyList<string> Detail);

    public sealed record Response(
        [property: JsonPropertyName("imported")] int Imported,
        [property: JsonPropertyName("needConsent")] int NeedConsent,
        [property: JsonPropertyName("results")] IReadOnlyList<RowResult> Results);

    public static async Task<IResult> ImportAsync(HttpContext context, RefreshTokenImport import, CallerAccess access, IOptions<OAuthOptions> options, CancellationToken cancellationToken)
    {
        var (caller, refusal) = await access.AuthenticateAsync(context, cancellationToken);
        if (refusal is not null) return refusal;
        if (JsonRequests.RequireJson(context.Request) is { } notJson) return notJson;
        if (!OAuthSettings.TryGet(options, out _, out var failures)) return OAuthSettings.NotConfiguredProblem(failures);
        if (context.Request.ContentLength > MaxBodyBytes) return JsonRequests.BadRequest($"The body is larger than {MaxBodyBytes:N0} bytes: send at most {MaxRows} rows per request.");
        var body = await context.Request.Body.ReadCappedAsync(MaxBodyBytes, cancellationToken);
        if (body is null) return JsonRequests.BadRequest($"The body is larger than {MaxBodyBytes:N0} bytes: send at most {MaxRows} rows per request.");

        IReadOnlyList<ImportedMailbox> rows;
        IReadOnlyList<ImportRowProblem> problems;
        try
        {
            (rows, problems) = ImportFile.Parse(Encoding.UTF8.GetString(body), ImportFormat.Json, MaxRows);
        }
        catch (ImportFileException exception)
        {
            return JsonRequests.BadRequest(exception.Message);
        }

        var results = problems.Select(p => new RowResult(p.Line, p.Address, false, "The row cannot be read", [p.Reason])).ToList();
        foreach (var row in rows)
        {
            if (!caller!.May(CallerOperations.Admin, row.Address))
            {
                results.Add(new RowResult(row.Line, row.Address, false, "Not allowed", [$"The caller '{caller.Name}' may not administer {row.Address}; nothing was done with this row."]));
                continue;
            }
            var outcome = await import.ImportAsync(row, cancellationToken);
            results.Add(new RowResult(row.Line, row.Address, outcome.Succeeded, outcome.Title, outcome.Paragraphs));
        }
        context.Response.Headers.CacheControl = "no-store";
        var ordered = results.OrderBy(r => r.Line).ToList();
        return TypedResults.Json(new Response(ordered.Count(r => r.Imported), ordered.Count(r => !r.Imported), ordered));
    }
}
