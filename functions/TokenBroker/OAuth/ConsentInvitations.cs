using Microsoft.Extensions.Options;
using TokenBroker.Store;

namespace TokenBroker.OAuth;

/// <param name="Lifetime">Null: OAuth:InvitationLifetime.</param>
/// <param name="ReplaceAccount">Let a different account than the connected one sign in (a re-created user).</param>
public sealed record InvitationRequest(string Mailbox, MailProtocols Protocols, string? DelegateAddress, string TenantId,
    TimeSpan? Lifetime, bool ReplaceAccount, string IssuedBy);

/// <summary>Thrown for an invitation that cannot be issued or used; the message is the sentence to show.</summary>
public sealed class ConsentInvitationException(int statusCode, string title, string message) : Exception(message)
{
    public int StatusCode { get; } = statusCode;
    public string Title { get; } = title;
}

/// <summary>
/// Issues consent invitations and turns a presented one into a consent request. An invitation is single-use in
/// effect: a completed consent retires it and every invitation for the mailbox issued before it.
/// </summary>
public sealed class ConsentInvitations(ConsentInvitationProtector protector, IMailboxRegistry registry, IOptions<OAuthOptions> options, TimeProvider timeProvider)
{
    public const string StartPath = "/api/consent/start";

    public async Task<(Uri Url, DateTimeOffset ExpiresAt)> IssueAsync(InvitationRequest request, string baseUrl, CancellationToken cancellationToken)
    {
        var current = await registry.GetAsync(request.Mailbox, cancellationToken).ConfigureAwait(false);
        return await IssueAsync(request, current?.Value, baseUrl, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>For a caller that has just read the mailbox's record (null: not registered yet).</summary>
    public async Task<(Uri Url, DateTimeOffset ExpiresAt)> IssueAsync(InvitationRequest request, Mailbox? current, string baseUrl, CancellationToken cancellationToken)
    {
        var lifetime = request.Lifetime ?? options.Value.InvitationLifetime;
        if (lifetime <= TimeSpan.Zero || lifetime > options.Value.MaxInvitationLifetime)
            throw new ConsentInvitationException(400, "Cannot issue the invitation",
                $"An invitation lives between one minute and {options.Value.MaxInvitationLifetime.TotalDays:0.#} days (OAuth:MaxInvitationLifetime).");
        var now = timeProvider.GetUtcNow();
        var invitation = new ConsentInvitation(request.Mailbox, request.Protocols, request.DelegateAddress, request.TenantId,
            IssueTime(current, now).ToUnixTimeMilliseconds(),
            (now + lifetime).ToUnixTimeSeconds(), request.ReplaceAccount, request.IssuedBy);
        var token = await protector.ProtectAsync(invitation, cancellationToken).ConfigureAwait(false);
        return (new Uri($"{baseUrl.TrimEnd('/')}{StartPath}?invitation={Uri.EscapeDataString(token)}"), invitation.ExpiresAt);
    }

    /// <summary>
    /// Now, but always after the mailbox's spent mark: an invitation issued within the same clock tick as a completed
    /// consent must not count as spent.
    /// </summary>
    private static DateTimeOffset IssueTime(Mailbox? current, DateTimeOffset now)
    {
        var issued = DateTimeOffset.FromUnixTimeMilliseconds(now.ToUnixTimeMilliseconds()); // the precision it travels with
        return current?.ConsentInvitationsRetiredUpTo is { } retired && retired >= issued ? retired.AddMilliseconds(1) : issued;
    }

    /// <summary>The consent the invitation allows, or <see cref="ConsentInvitationException"/> saying why not.</summary>
    public async Task<ConsentInvitation> RedeemableAsync(string? text, CancellationToken cancellationToken)
    {
        const string AskAgain = "Ask the broker's administrator for a new invitation link.";
        if (string.IsNullOrEmpty(text))
            throw new ConsentInvitationException(400, "This link carries no invitation",
                $"Consent starts only from an invitation an administrator issued (`tokenbroker consent invite`). {AskAgain}");
        var (invitation, problem) = await protector.UnprotectAsync(text, cancellationToken).ConfigureAwait(false);
        if (invitation is null)
            throw new ConsentInvitationException(400, "This invitation was not issued by this broker",
                $"The link is damaged or forged ({(problem == SignedEnvelopeProblem.BadSignature ? "the signature does not match" : "it cannot be read")}). {AskAgain}");
        if (timeProvider.GetUtcNow() >= invitation.ExpiresAt)
            throw new ConsentInvitationException(410, "This invitation has expired",
                $"It was valid until {invitation.ExpiresAt:yyyy-MM-dd HH:mm} UTC. {AskAgain}");
        var mailbox = await registry.GetAsync(invitation.Mailbox, cancellationToken).ConfigureAwait(false);
        if (mailbox?.Value.ConsentInvitationsRetiredUpTo is { } retired && invitation.IssuedAt <= retired)
            throw new ConsentInvitationException(410, "This invitation was already used",
                $"A consent for {invitation.Mailbox} was completed with this invitation or a newer one. {AskAgain}");
        return invitation;
    }
}
