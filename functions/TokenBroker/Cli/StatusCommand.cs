using System.CommandLine;
using System.Net.Http.Json;
using System.Text.Json;
using TokenBroker.Hosting;
using TokenBroker.Jobs.Status;

namespace TokenBroker.Cli;

/// <summary>
/// `tokenbroker status`: asks a running broker (GET /api/status) how every mailbox stands and prints a table,
/// or the JSON with --json. Exit codes: 0 every mailbox Connected, 1 some need attention, 2 the broker could not be asked.
/// </summary>
public static class StatusCommand
{
    public static Command Create()
    {
        var broker = new BrokerConnection();
        var json = new Option<bool>("--json") { Description = "Print the broker's JSON instead of a table." };
        var command = new Command("status", "List every mailbox: state, reason, token expiry, last refresh, last error, scopes, re-consent link.")
        {
            json,
        };
        broker.AddTo(command);
        command.SetAction(async (result, cancellationToken) =>
        {
            var output = result.InvocationConfiguration.Output;
            var errors = result.InvocationConfiguration.Error;
            StatusReport report;
            string body;
            try
            {
                using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
                using var request = new HttpRequestMessage(HttpMethod.Get, result.GetValue(broker.Url)!.TrimEnd('/') + "/api/" + StatusApi.Route);
                broker.Authorize(request, result);
                using var response = await http.SendAsync(request, cancellationToken);
                body = await response.Content.ReadAsStringAsync(cancellationToken);
                if (!response.IsSuccessStatusCode)
                {
                    errors.WriteLine($"tokenbroker status: the broker answered {(int)response.StatusCode} {response.ReasonPhrase}: {body}" +
                        BrokerConnection.HintFor(response.StatusCode));
                    return 2;
                }
                report = JsonSerializer.Deserialize<StatusReport>(body, StatusReport.JsonOptions)
                    ?? throw new JsonException("The broker's answer is empty.");
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or JsonException or UriFormatException or InvalidOperationException)
            {
                errors.WriteLine($"tokenbroker status: could not ask the broker: {e.Message}");
                return 2;
            }

            if (result.GetValue(json)) output.WriteLine(body);
            else StatusTable.Write(output, report, DateTimeOffset.UtcNow);
            return report.Mailboxes.All(m => m.State == "Connected" && m.MissingScopes.Count == 0) ? 0 : 1;
        });
        return command;
    }
}
