using System.CommandLine;
using System.Net;
using System.Text;
using System.Text.Json;

namespace TokenBroker.Cli;

/// <summary>
/// `tokenbroker mail enqueue --file REQUEST.json`: posts a mail request (docs/mail-requests.md) to a running broker's
/// POST /api/mail, which checks it and queues it. Exit codes: 0 queued, 1 refused (every problem printed), 2 bad
/// arguments or unreachable broker.
/// </summary>
public static class MailEnqueueCommand
{
    public static Command Create()
    {
        var file = new Option<FileInfo>("--file") { Description = "The JSON mail request (send or fetch, schema version 1).", Required = true };
        file.AcceptExistingOnly();
        var broker = new BrokerConnection();
        var command = new Command("enqueue", "Queue a mail request on a running broker (POST /api/mail).") { file };
        broker.AddTo(command);
        command.SetAction(async (result, cancellationToken) =>
        {
            var output = result.InvocationConfiguration.Output;
            var errors = result.InvocationConfiguration.Error;
            if (broker.BaseAddress(result) is not { } brokerUrl)
            {
                await errors.WriteLineAsync($"--url '{result.GetValue(broker.Url)}' is not an http(s) address of the broker.");
                return 2;
            }
            var body = await File.ReadAllTextAsync(result.GetValue(file)!.FullName, cancellationToken);
            using var http = new HttpClient { BaseAddress = brokerUrl, Timeout = TimeSpan.FromSeconds(30) };
            using var request = new HttpRequestMessage(HttpMethod.Post, "api/mail") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
            broker.Authorize(request, result);
            HttpResponseMessage response;
            try
            {
                response = await http.SendAsync(request, cancellationToken);
            }
            catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
            {
                await errors.WriteLineAsync($"Cannot reach the broker at {http.BaseAddress}: {exception.Message}");
                return 2;
            }
            using (response)
            {
                var text = await response.Content.ReadAsStringAsync(cancellationToken);
                switch (response.StatusCode)
                {
                    case HttpStatusCode.Accepted:
                        using (var accepted = JsonDocument.Parse(text))
                            await output.WriteLineAsync($"Queued {accepted.RootElement.GetProperty("kind").GetString()} request {accepted.RootElement.GetProperty("id").GetString()}.");
                        return 0;
                    case HttpStatusCode.BadRequest when TryProblems(text, out var problems):
                        await errors.WriteLineAsync("The broker refused the request:");
                        foreach (var problem in problems)
                            await errors.WriteLineAsync("  - " + problem);
                        return 1;
                    case HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden:
                        await errors.WriteLineAsync($"The broker refused the call ({(int)response.StatusCode}): {BrokerConnection.ProblemDetail(text) ?? ""}{BrokerConnection.HintFor(response.StatusCode)}.");
                        return 2;
                    default:
                        await errors.WriteLineAsync($"The broker answered {(int)response.StatusCode} {response.ReasonPhrase}: {text}");
                        return 2;
                }
            }
        });
        return command;
    }

    private static bool TryProblems(string text, out List<string> problems)
    {
        problems = [];
        try
        {
            using var document = JsonDocument.Parse(text);
            if (!document.RootElement.TryGetProperty("problems", out var list) || list.ValueKind != JsonValueKind.Array) return false;
            problems.AddRange(list.EnumerateArray().Select(p => p.GetString() ?? ""));
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
