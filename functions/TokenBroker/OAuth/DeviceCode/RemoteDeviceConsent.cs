using TokenBroker.OAuth.Import;

namespace TokenBroker.OAuth.DeviceCode;

/// <summary>What the start answers: where to sign in, the code, until when, and the handle to poll with.</summary>
public sealed record DeviceConsentStarted(DeviceCodePrompt Prompt, string Handle, int Interval);

/// <summary>A poll's answer: still waiting (poll again after <see cref="Interval"/> seconds), or the consent's outcome.</summary>
public sealed record DeviceConsentPolled(bool Pending, int Interval, ConsentOutcome? Outcome);

/// <summary>
/// Device-code consent run by the broker for a remote caller, across requests: start asks the identity provider for a
/// code and seals the device code into a handle; each poll asks once whether someone signed in and, when so, redeems
/// the refresh token into MSAL's cache and runs the consent checks (<see cref="RefreshTokenImport.RedeemAsync"/>).
/// </summary>
public sealed class RemoteDeviceConsent(DeviceAuthorizationClient deviceAuthorization, DeviceConsentHandles handles, RefreshTokenImport redemption, TimeProvider timeProvider)
{
    public async Task<DeviceConsentStarted> StartAsync(ConsentTarget target, string tenantId, CancellationToken cancellationToken = default)
    {
        var started = await deviceAuthorization.StartAsync(tenantId, MailScopes.DelegatedScopes(target.Protocols), cancellationToken).ConfigureAwait(false);
        var expiresAt = timeProvider.GetUtcNow().AddSeconds(Math.Clamp(started.ExpiresIn, 60, 3600));
        var interval = Math.Clamp(started.Interval, 1, 60);
        var handle = await handles.SealAsync(new DeviceConsentPayload(target.Mailbox, target.DelegateAddress, target.Protocols, target.ReplaceAccount,
            tenantId, started.DeviceCode, interval, expiresAt.ToUnixTimeSeconds()), cancellationToken).ConfigureAwait(false);
        return new DeviceConsentStarted(new DeviceCodePrompt(started.VerificationUri, started.UserCode, expiresAt, started.Message ?? ""), handle, interval);
    }

    /// <summary>Null when the handle is not one this broker issued; the caller checks the mailbox's admin right on <see cref="DeviceConsentPayload.Mailbox"/> first.</summary>
    public Task<DeviceConsentPayload?> OpenAsync(string? handle, CancellationToken cancellationToken = default) => handles.OpenAsync(handle, cancellationToken);

    public async Task<DeviceConsentPolled> PollAsync(DeviceConsentPayload payload, CancellationToken cancellationToken = default)
    {
        if (timeProvider.GetUtcNow() >= DateTimeOffset.FromUnixTimeSeconds(payload.ExpiresAtUnixSeconds))
            return new(false, payload.Interval, ConsentOutcome.Problem(410, "The device code expired before anyone signed in", "Start again; nothing was stored."));
        var poll = await deviceAuthorization.PollAsync(payload.TenantId, payload.DeviceCode, payload.Interval, cancellationToken).ConfigureAwait(false);
        if (poll.Pending) return new(true, poll.Interval, null);
        if (poll.Failure is { } failure)
            return new(false, poll.Interval, ConsentOutcome.Problem(failure.IsTransient ? 503 : 400,
                failure.Error == "authorization_declined" ? "The sign-in was declined" : "The identity provider refused the sign-in", failure.Reason, "Nothing was stored."));
        var outcome = await redemption.RedeemAsync(payload.Target, payload.TenantId, poll.RefreshToken!, DeviceCodeConsent.How, poll.ClientKind, cancellationToken).ConfigureAwait(false);
        return new(false, poll.Interval, outcome);
    }
}
