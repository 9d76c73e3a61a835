using Microsoft.AspNetCore.Http;
using TokenBroker.Callers;
using TokenBroker.OAuth;

namespace TokenBroker.Jobs.Mailboxes;

/// <summary>
/// POST mailboxes/{address}/refresh|disable|enable|probe and DELETE mailboxes/{address}: an operator's actions on one
/// mailbox, for callers whose scope grants "admin" on it. Answers the <see cref="MailboxActionResult"/> (probe: the
/// <see cref="MailboxProbeReport"/>), or a problem document with a sentence.
/// </summary>
public static class MailboxActionsApi
{
    public const string ActionRoute = "mailboxes/{address}/{action}";
    public const string RemoveRoute = "mailboxes/{address}";

    /// <summary>POST mailboxes/{address}/{action}: refresh, disable, enable or probe (removal is a DELETE).</summary>
    public static Task<IResult> PostAsync(HttpContext context, string address, string action, CallerAccess access,
        MailboxActions actions, MailboxProbe probe, CancellationToken cancellationToken) =>
        action is "refresh" or "disable" or "enable" or "probe"
            ? RunAsync(context, address, action, access, actions, probe, cancellationToken)
            : Task.FromResult<IResult>(TypedResults.Problem(detail: $"'{action}' is not an action; POST refresh, disable, enable or probe, or DELETE the mailbox to remove it.",
                statusCode: StatusCodes.Status404NotFound, title: "Unknown action"));

    /// <summary>DELETE mailboxes/{address}.</summary>
    public static Task<IResult> DeleteAsync(HttpContext context, string address, CallerAccess access,
        MailboxActions actions, MailboxProbe probe, CancellationToken cancellationToken) =>
        RunAsync(context, address, "remove", access, actions, probe, cancellationToken);

    private static async Task<IResult> RunAsync(HttpContext context, string address, string action, CallerAccess access,
        MailboxActions actions, MailboxProbe probe, CancellationToken cancellationToken)
    {
        var (caller, refusal) = await access.AuthenticateAsync(context, cancellationToken);
        if (refusal is not null) return refusal;
        if (!AddressInput.TryNormalize(address, out var mailbox, out var addressError))
            return TypedResults.Problem(detail: addressError, statusCode: StatusCodes.Status400BadRequest, title: "Bad mailbox address");
        if (CallerAccess.Authorize(caller!, CallerOperations.Admin, mailbox) is { } forbidden) return forbidden;
        context.Response.Headers.CacheControl = "no-store";
        try
        {
            return action switch
            {
                "refresh" => TypedResults.Json(await actions.RefreshNowAsync(mailbox, caller!.Name, cancellationToken)),
                "disable" => TypedResults.Json(await actions.DisableAsync(mailbox, caller!.Name, cancellationToken)),
                "enable" => TypedResults.Json(await actions.EnableAsync(mailbox, caller!.Name, cancellationToken)),
                "remove" => TypedResults.Json(await actions.RemoveAsync(mailbox, caller!.Name, cancellationToken)),
                "probe" => TypedResults.Json(await probe.ProbeAsync(mailbox, context.Request.Query["protocol"].FirstOrDefault() ?? "imap", cancellationToken)),
                _ => throw new ArgumentOutOfRangeException(nameof(action), action, "not a mailbox action"),
            };
        }
        catch (MailboxActionRefusedException refused)
        {
            return TypedResults.Problem(detail: refused.Message, statusCode: refused.StatusCode, title: $"Cannot {action} {mailbox}");
        }
    }
}
