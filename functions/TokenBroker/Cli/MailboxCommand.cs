using System.CommandLine;
using System.Text.Json;
using TokenBroker.Jobs.Mailboxes;
using TokenBroker.OAuth;

namespace TokenBroker.Cli;

/// <summary>
/// `tokenbroker mailbox refresh|disable|enable|remove|probe ADDRESS`: an operator's action on one mailbox of a running
/// broker (the same APIs the dashboard uses; the credential needs "admin" on the mailbox). Exit codes: 0 done, 1 the
/// action ran and failed (a refused refresh, a failed login), 2 refused or the broker could not be asked.
/// </summary>
public static class MailboxCommand
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static Command Create()
    {
        var command = new Command("mailbox", "Act on one mailbox: refresh now, disable, enable, remove, probe its mail server.");
        command.Subcommands.Add(Action("refresh", "Redeem the mailbox's refresh token now (the keep-alive) and show the outcome."));
        command.Subcommands.Add(Action("disable", "Stop refreshing the mailbox and using it for send and fetch."));
        command.Subcommands.Add(Action("enable", "Put a disabled mailbox back in service (and refresh it at once)."));
        command.Subcommands.Add(Action("remove", "Delete the mailbox's record and its tokens."));
        command.Subcommands.Add(Probe());
        return command;
    }

    private static Command Action(string name, string description)
    {
        var broker = new BrokerConnection();
        var address = new Argument<string>("address") { Description = "The mailbox's address." };
        var command = new Command(name, description) { address };
        broker.AddTo(command);
        command.SetAction(async (result, cancellationToken) =>
        {
            if (!AddressInput.TryNormalize(result.GetValue(address), out var mailbox, out var error))
            {
                result.InvocationConfiguration.Error.WriteLine($"tokenbroker mailbox {name}: {error}");
                return 2;
            }
            var path = "mailboxes/" + Uri.EscapeDataString(mailbox) + (name == "remove" ? "" : "/" + name);
            var (answer, problem) = await BrokerCall.SendAsync(broker, result, name == "remove" ? HttpMethod.Delete : HttpMethod.Post, path, TimeSpan.FromSeconds(90), cancellationToken);
            if (answer is not { IsSuccess: true })
            {
                result.InvocationConfiguration.Error.WriteLine($"tokenbroker mailbox {name}: {(answer is null ? "could not ask the broker: " + problem : answer.Refusal)}");
                return 2;
            }
            var outcome = JsonSerializer.Deserialize<MailboxActionResult>(answer.Body, Json)!;
            result.InvocationConfiguration.Output.WriteLine(outcome.State is null ? outcome.Message : $"{outcome.Message} (state: {outcome.State})");
            return outcome.Succeeded ? 0 : 1;
        });
        return command;
    }

    private static Command Probe()
    {
        var broker = new BrokerConnection();
        var address = new Argument<string>("address") { Description = "The mailbox's address." };
        var protocol = new Option<string>("--protocol") { Description = "imap, pop3 or smtp: which of the broker's configured servers to log in to.", DefaultValueFactory = _ => "imap" };
        protocol.AcceptOnlyFromAmong([.. MailboxProbe.Protocols]);
        var verbose = new Option<bool>("--verbose") { Description = "Also print the whole dialogue (AUTH payloads redacted)." };
        var command = new Command("probe", "Log in to the mail server with the mailbox's token, as the broker would, and show what the server said.") { address, protocol, verbose };
        broker.AddTo(command);
        command.SetAction(async (result, cancellationToken) =>
        {
            var output = result.InvocationConfiguration.Output;
            if (!AddressInput.TryNormalize(result.GetValue(address), out var mailbox, out var error))
            {
                result.InvocationConfiguration.Error.WriteLine($"tokenbroker mailbox probe: {error}");
                return 2;
            }
            var path = $"mailboxes/{Uri.EscapeDataString(mailbox)}/probe?protocol={Uri.EscapeDataString(result.GetValue(protocol)!)}";
            var (answer, problem) = await BrokerCall.SendAsync(broker, result, HttpMethod.Post, path, TimeSpan.FromSeconds(120), cancellationToken);
            if (answer is not { IsSuccess: true })
            {
                result.InvocationConfiguration.Error.WriteLine($"tokenbroker mailbox probe: {(answer is null ? "could not ask the broker: " + problem : answer.Refusal)}");
                return 2;
            }
            var report = JsonSerializer.Deserialize<MailboxProbeReport>(answer.Body, Json)!;
            output.WriteLine($"Probing {report.Server} as {report.Address}");
            foreach (var step in report.Steps)
            {
                output.WriteLine(step.Succeeded ? $"[ok]   {step.Name}" : $"[FAIL] {step.Name}: {step.Error}");
                foreach (var line in step.ServerLines) output.WriteLine($"         S: {line}");
            }
            if (result.GetValue(verbose))
            {
                output.WriteLine("Dialogue:");
                foreach (var line in report.Transcript) output.WriteLine("  " + line);
            }
            output.WriteLine(report.Succeeded ? "Result: login succeeded." : $"Result: FAILED: {report.Diagnosis ?? "see the steps above."}");
            return report.Succeeded ? 0 : 1;
        });
        return command;
    }
}
