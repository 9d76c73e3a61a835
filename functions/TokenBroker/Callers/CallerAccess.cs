using Microsoft.AspNetCore.Http;

namespace TokenBroker.Callers;

/// <summary>
/// The check every non-anonymous function makes before it acts: an authenticated caller whose scope covers the
/// mailbox and the operation. Refusals are problem documents with a sentence (401 who are you, 403 not allowed).
/// </summary>
public sealed class CallerAccess(CallerAuthenticator authenticator)
{
    /// <summary>The caller, or the 401 to return.</summary>
    public async Task<(Caller? Caller, IResult? Refusal)> AuthenticateAsync(HttpContext context, CancellationToken cancellationToken)
    {
        var (caller, problem) = await authenticator.AuthenticateAsync(context, cancellationToken).ConfigureAwait(false);
        if (caller is not null) return (caller, null);
        context.Response.Headers.WWWAuthenticate = "Bearer";
        return (null, TypedResults.Problem(title: "Authentication required", detail: problem, statusCode: StatusCodes.Status401Unauthorized));
    }

    /// <summary>Null when the caller may do <paramref name="operation"/> (on <paramref name="mailbox"/> when given); otherwise the 403.</summary>
    public static IResult? Authorize(Caller caller, CallerOperations operation, string? mailbox = null)
    {
        if (mailbox is null ? caller.May(operation) : caller.May(operation, mailbox)) return null;
        var what = CallerOperationNames.Describe(operation);
        var detail = caller.May(operation)
            ? $"The client '{caller.Name}' may {what} only for {caller.Mailboxes}, not for {mailbox}."
            : $"The client '{caller.Name}' may not {what} (it may: {CallerOperationNames.Describe(caller.Operations)}).";
        return TypedResults.Problem(title: "Not allowed", detail: detail, statusCode: StatusCodes.Status403Forbidden);
    }
}
