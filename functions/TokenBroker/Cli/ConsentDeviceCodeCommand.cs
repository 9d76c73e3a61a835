using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using TokenBroker.OAuth;

namespace TokenBroker.Cli;

/// <summary>
/// `tokenbroker consent MAILBOX --protocols imap,smtp --device-code [--delegate X]`: connects a mailbox from a machine
/// without a browser. Prints the verification address and code, waits for the sign-in (until the code expires,
/// --timeout passes or Ctrl-C), runs the consent callback's checks and stores the result: in the broker's store when
/// run where `serve` runs (configured alike), or, with --url, through that running broker (it needs "admin" on the
/// mailbox). Exit codes: 0 connected, 1 refused or not signed in in time, 2 bad arguments, configuration or an
/// unreachable broker.
/// </summary>
internal static class ConsentDeviceCodeCommand
{
    public static Command Create(Command invite)
    {
        var mailbox = new Argument<string?>("mailbox") { Description = "The mailbox to connect.", Arity = ArgumentArity.ZeroOrOne };
        var protocols = new Option<string>("--protocols") { Description = "imap, pop, smtp (comma-separated).", DefaultValueFactory = _ => "imap,smtp" };
        var delegateAddress = new Option<string?>("--delegate") { Description = "Shared mailbox: the person who signs in for it." };
        var tenant = new Option<string?>("--tenant") { Description = "The tenant id or domain (default OAuth:TenantId)." };
        var deviceCode = new Option<bool>("--device-code") { Description = "Sign in on any other device with a code (no browser needed here)." };
        var replaceAccount = new Option<bool>("--replace-account") { Description = "Let another account than the connected one sign in (a re-created user)." };
        var broker = new BrokerConnection();
        var timeout = new Option<TimeSpan>("--timeout") { Description = "Stop waiting after this long (default 00:15:00; the code may expire earlier).", DefaultValueFactory = _ => TimeSpan.FromMinutes(15) };
        var command = new Command("consent", "Connect a mailbox: `consent invite` issues a link; `consent MAILBOX --device-code` signs in with a code, here.")
        {
            mailbox, protocols, delegateAddress, tenant, deviceCode, replaceAccount, timeout, invite,
        };
        broker.AddTo(command);
        command.TreatUnmatchedTokensAsErrors = false;
        command.SetAction(async (result, cancellationToken) =>
        {
            var output = result.InvocationConfiguration.Output;
            var errors = result.InvocationConfiguration.Error;
            if (!result.GetValue(deviceCode))
                return Fail(errors, "Give --device-code to sign in here with a code, or use `tokenbroker consent invite MAILBOX` for a link.");
            if (!AddressInput.TryNormalize(result.GetValue(mailbox), out var address, out var addressError)) return Fail(errors, addressError);
            string? delegated = null;
            if (result.GetValue(delegateAddress) is { } given && !AddressInput.TryNormalize(given, out delegated, out var delegateError))
                return Fail(errors, "--delegate: " + delegateError);
            if (!MailScopes.TryParseProtocols(result.GetValue(protocols), out var parsedProtocols, out var protocolError)) return Fail(errors, "--protocols: " + protocolError);
            if (result.GetValue(timeout) <= TimeSpan.Zero) return Fail(errors, "--timeout must be positive.");
            var target = new ConsentTarget(address, delegated, parsedProtocols, result.GetValue(replaceAccount));

            // --url given: the running broker runs the sign-in (any machine, a client with "admin" on the mailbox).
            if (result.GetResult(broker.Url) is { Implicit: false })
            {
                using var remoteDeadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                remoteDeadline.CancelAfter(result.GetValue(timeout));
                try
                {
                    return await RemoteDeviceConsentClient.RunAsync(result, broker, target, result.GetValue(tenant), remoteDeadline.Token);
                }
                catch (OperationCanceledException) when (remoteDeadline.IsCancellationRequested)
                {
                    await errors.WriteLineAsync(cancellationToken.IsCancellationRequested
                        ? "Stopped before anyone signed in; nothing was stored."
                        : $"Nobody signed in within {result.GetValue(timeout)}; nothing was stored.");
                    return 1;
                }
            }

            try
            {
                await using var services = LocalBroker.Open(result);
                var settings = services.GetRequiredService<IOptions<OAuthOptions>>().Value;
                var tenantId = result.GetValue(tenant) ?? settings.TenantId;
                if (string.IsNullOrWhiteSpace(tenantId) || !ConsentApi.IsTenantName(tenantId))
                    return Fail(errors, "No valid tenant: give --tenant or set OAuth:TenantId.");
                using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                deadline.CancelAfter(result.GetValue(timeout));
                ConsentOutcome outcome;
                try
                {
                    outcome = await services.GetRequiredService<DeviceCodeConsent>().RunAsync(target, tenantId, async prompt =>
                    {
                        await output.WriteLineAsync($"To connect {address}, {delegated ?? address} opens {prompt.VerificationUrl} on any device and enters the code {prompt.UserCode}");
                        await output.WriteLineAsync($"(valid until {prompt.ExpiresAt:yyyy-MM-dd HH:mm} UTC). Waiting for the sign-in; Ctrl-C stops.");
                    }, deadline.Token);
                }
                catch (OperationCanceledException) when (deadline.IsCancellationRequested)
                {
                    await errors.WriteLineAsync(cancellationToken.IsCancellationRequested
                        ? "Stopped before anyone signed in; nothing was stored."
                        : $"Nobody signed in within {result.GetValue(timeout)}; nothing was stored.");
                    return 1;
                }
                LocalBroker.Write(outcome.Succeeded ? output : errors, outcome);
                return outcome.Succeeded ? 0 : 1;
            }
            catch (Exception e) when (LocalBroker.IsConfigurationProblem(e))
            {
                return Fail(errors, "Cannot open the broker's store or OAuth settings: " + LocalBroker.Describe(e));
            }
        });
        return command;
    }

    private static int Fail(TextWriter errors, string sentence)
    {
        errors.WriteLine(sentence);
        return 2;
    }
}
