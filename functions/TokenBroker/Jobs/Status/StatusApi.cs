using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using TokenBroker.OAuth;
using TokenBroker.Store;

namespace TokenBroker.Jobs.Status;

/// <summary>GET /api/status (authLevel function): every mailbox's <see cref="MailboxStatus"/>, sorted by address.</summary>
public static class StatusApi
{
    public const string Route = "status";

    public static async Task<IResult> GetAsync(HttpContext context, IMailboxRegistry registry, IOptions<OAuthOptions> options, CancellationToken cancellationToken)
    {
        var baseUrl = options.Value.PublicBaseUrl is { Length: > 0 } configured
            ? configured
            : $"{context.Request.Scheme}://{context.Request.Host}{context.Request.PathBase}";
        var mailboxes = await registry.ListAsync(cancellationToken);
        var report = new StatusReport(
            mailboxes.Select(m => MailboxStatus.Of(m.Value, baseUrl)).OrderBy(s => s.Address, StringComparer.OrdinalIgnoreCase).ToArray());
        context.Response.Headers.CacheControl = "no-store";
        return TypedResults.Json(report, StatusReport.JsonOptions);
    }
}

public sealed record StatusReport(IReadOnlyList<MailboxStatus> Mailboxes)
{
    public static readonly System.Text.Json.JsonSerializerOptions JsonOptions = new(System.Text.Json.JsonSerializerDefaults.Web);
}
