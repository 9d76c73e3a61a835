using System.CommandLine;
using TokenBroker.Mail.Net;
using TokenBroker.Mail.Probe;
using TokenBroker.Mail.Sasl;
using TokenBroker.Mail.Tokens;

namespace TokenBroker.Cli;

/// <summary>
/// `tokenbroker mail probe`: logs in to an IMAP, POP3 or SMTP server step by step and prints exactly
/// what the server answered, the capabilities before and after TLS and login, and on failure one
/// sentence on the likely cause, from the server's reply and the token's claims. The token is never printed.
/// Exit codes: 0 login worked, 1 it did not, 2 bad arguments.
/// </summary>
public static class MailProbeCommand
{
    public static Command Create()
    {
        var server = new Option<string>("--server") { Description = "imap://, imaps://, pop3://, pop3s://, smtp:// or smtps:// HOST[:PORT].", Required = true };
        var user = MailCliOptions.User();
        var tokenFile = MailCliOptions.TokenFile();
        var caFile = MailCliOptions.CaFile();
        var mechanism = MailCliOptions.Mechanism();
        var verbose = new Option<bool>("--verbose") { Description = "Also print the whole dialogue (AUTH payloads redacted)." };

        var command = new Command("probe", "Log in to a mail server with an OAuth2 access token and show what the server says at each step.")
        {
            server, user, tokenFile, caFile, mechanism, verbose,
        };
        command.SetAction(async (result, cancellationToken) =>
        {
            var output = result.InvocationConfiguration.Output;
            var errors = result.InvocationConfiguration.Error;
            MailEndpoint endpoint;
            MailClientOptions options;
            OAuthSaslMechanism sasl;
            AccessTokenClaims? claims;
            var login = result.GetValue(user)!;
            try
            {
                endpoint = MailEndpoint.Parse(result.GetValue(server)!);
                options = MailCliInputs.ClientOptions(result.GetValue(caFile), null);
                var token = await MailCliInputs.ReadTokenAsync(result.GetValue(tokenFile)!, cancellationToken);
                claims = AccessTokenClaims.TryDecode(token);
                sasl = OAuthMechanisms.CreateSasl(result.GetValue(mechanism)!, login, token, endpoint);
            }
            catch (Exception e) when (e is FormatException or ArgumentException)
            {
                errors.WriteLine($"tokenbroker mail probe: {e.Message}");
                return MailCliExitCodes.BadArguments;
            }

            var now = DateTimeOffset.UtcNow;
            output.WriteLine($"Probing {endpoint} as {login} with {sasl.MechanismName}");
            output.WriteLine(claims is null ? "Token: not a JWT (claims cannot be shown)" : $"Token: {claims.Describe(now)}");
            var probe = await MailLoginProbe.ProbeAsync(endpoint, options, sasl, cancellationToken);
            Print(output, probe, result.GetValue(verbose));

            var explanation = MailLoginDiagnosis.Explain(probe, claims, login, now);
            output.WriteLine(explanation is null ? "Result: login succeeded." : $"Result: FAILED at {probe.FailedStep!.Name}: {explanation}");
            return probe.Succeeded ? 0 : 1;
        });
        return command;
    }

    private static void Print(TextWriter output, MailProbeResult probe, bool verbose)
    {
        foreach (var step in probe.Steps)
        {
            output.WriteLine(step.Succeeded ? $"[ok]   {step.Name}" : $"[FAIL] {step.Name}: {step.Error}");
            foreach (var line in step.ServerLines) output.WriteLine($"         S: {line}");
        }
        if (probe.SaslServerError is { } challenge) output.WriteLine($"Challenge: {challenge.RawJson}");
        if (probe.CapabilitiesBeforeTls is { } before) output.WriteLine($"Capabilities before TLS: {string.Join(' ', before)}");
        if (probe.CapabilitiesAfterTls is { } afterTls) output.WriteLine($"Capabilities after TLS: {string.Join(' ', afterTls)}");
        if (probe.CapabilitiesAfterLogin is { } afterLogin) output.WriteLine($"Capabilities after login: {string.Join(' ', afterLogin)}");
        if (!verbose) return;
        output.WriteLine("Dialogue:");
        foreach (var line in probe.Transcript) output.WriteLine("  " + line);
    }
}
