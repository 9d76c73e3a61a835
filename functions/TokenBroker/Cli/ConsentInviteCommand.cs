using System.CommandLine;
using System.Net.Http.Json;
using System.Text.Json;
using TokenBroker.OAuth;

namespace TokenBroker.Cli;

/// <summary>
/// `tokenbroker consent invite MAILBOX --protocols imap,smtp`: asks a running broker for a consent invitation and
/// prints the link to send to whoever must sign in. Exit codes: 0 issued, 1 refused, 2 bad arguments or unreachable broker.
/// </summary>
public static class ConsentInviteCommand
{
    public static Command Create()
    {
        var mailbox = new Argument<string>("mailbox") { Description = "The mailbox to connect." };
        var protocols = new Option<string>("--protocols") { Description = "imap, pop, smtp (comma-separated).", DefaultValueFactory = _ => "imap,smtp" };
        var delegateAddress = new Option<string?>("--delegate") { Description = "Shared mailbox: the person who signs in for it." };
        var tenant = new Option<string?>("--tenant") { Description = "The tenant id or domain (default OAuth:TenantId)." };
        var validHours = new Option<double?>("--valid-hours") { Description = "How long the link works (default OAuth:InvitationLifetime)." };
        var replaceAccount = new Option<bool>("--replace-account") { Description = "Let another account than the connected one sign in (a re-created user)." };
        var broker = new BrokerConnection();
        var invite = new Command("invite", "Issue a signed, expiring consent link for one mailbox (needs \"admin\" on it).")
        {
            mailbox, protocols, delegateAddress, tenant, validHours, replaceAccount,
        };
        broker.AddTo(invite);
        invite.SetAction(async (result, cancellationToken) =>
        {
            var errors = result.InvocationConfiguration.Error;
            if (broker.BaseAddress(result) is not { } baseAddress)
            {
                await errors.WriteLineAsync($"--url '{result.GetValue(broker.Url)}' is not an http(s) address of the broker.");
                return 2;
            }
            using var http = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(30) };
            using var request = new HttpRequestMessage(HttpMethod.Post, "api/" + ConsentInvitationApi.Route)
            {
                Content = JsonContent.Create(new ConsentInvitationApi.Request(result.GetValue(mailbox), result.GetValue(protocols),
                    result.GetValue(delegateAddress), result.GetValue(tenant), result.GetValue(validHours), result.GetValue(replaceAccount))),
            };
            broker.Authorize(request, result);
            try
            {
                using var response = await http.SendAsync(request, cancellationToken);
                var text = await response.Content.ReadAsStringAsync(cancellationToken);
                if (response.IsSuccessStatusCode)
                {
                    var issued = JsonSerializer.Deserialize<ConsentInvitationApi.Response>(text)!;
                    await result.InvocationConfiguration.Output.WriteLineAsync(
                        $"Send this link to whoever signs in for {issued.Mailbox} (valid until {issued.ExpiresAt:yyyy-MM-dd HH:mm} UTC, spent once a consent completes):");
                    await result.InvocationConfiguration.Output.WriteLineAsync(issued.Url);
                    return 0;
                }
                await errors.WriteLineAsync($"The broker refused ({(int)response.StatusCode}): {BrokerConnection.ProblemDetail(text) ?? text}{BrokerConnection.HintFor(response.StatusCode)}");
                return 1;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or JsonException && !cancellationToken.IsCancellationRequested)
            {
                await errors.WriteLineAsync($"Cannot reach the broker at {baseAddress}: {e.Message}");
                return 2;
            }
        });
        return ConsentDeviceCodeCommand.Create(invite);
    }
}
