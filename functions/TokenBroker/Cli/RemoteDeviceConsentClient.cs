using System.CommandLine;
using System.Net.Http.Json;
using System.Text.Json;
using TokenBroker.OAuth;

namespace TokenBroker.Cli;

/// <summary>
/// The remote half of `tokenbroker consent MAILBOX --device-code --url URL`: the running broker starts the device code
/// sign-in (POST /api/consent/device, "admin" on the mailbox), the command prints the code, then polls
/// (POST /api/consent/device/poll) at the identity provider's interval until the outcome, the deadline or Ctrl-C.
/// </summary>
internal static class RemoteDeviceConsentClient
{
    public static async Task<int> RunAsync(ParseResult result, BrokerConnection broker, ConsentTarget target, string? tenant, CancellationToken deadline)
    {
        var output = result.InvocationConfiguration.Output;
        var errors = result.InvocationConfiguration.Error;
        if (broker.BaseAddress(result) is not { } baseAddress)
        {
            await errors.WriteLineAsync($"--url '{result.GetValue(broker.Url)}' is not an http(s) address of the broker.");
            return 2;
        }
        using var http = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(60) };
        try
        {
            var (startStatus, startText, _) = await PostAsync(http, broker, result, DeviceConsentApi.StartRoute,
                new DeviceConsentApi.StartRequest(target.Mailbox, MailScopes.Describe(target.Protocols).ToLowerInvariant(), target.DelegateAddress, tenant, target.ReplaceAccount), deadline);
            if (startStatus != 200)
            {
                await errors.WriteLineAsync($"The broker refused ({startStatus}): {BrokerConnection.ProblemDetail(startText) ?? startText}{BrokerConnection.HintFor((System.Net.HttpStatusCode)startStatus)}");
                return 1;
            }
            var started = JsonSerializer.Deserialize<DeviceConsentApi.StartResponse>(startText)!;
            await output.WriteLineAsync($"To connect {target.Mailbox}, {target.DelegateAddress ?? target.Mailbox} opens {started.VerificationUrl} on any device and enters the code {started.UserCode}");
            await output.WriteLineAsync($"(valid until {started.ExpiresAt:yyyy-MM-dd HH:mm} UTC). Waiting for the sign-in; Ctrl-C stops.");

            var interval = started.Interval;
            while (true)
            {
                await Task.Delay(TimeSpan.FromSeconds(interval), deadline);
                var (status, text, isProblem) = await PostAsync(http, broker, result, DeviceConsentApi.PollRoute, new DeviceConsentApi.PollRequest(started.Handle), deadline);
                // The consent's own answers (pending, connected, refused in the callback's words) are poll responses;
                // the broker's refusals of the request itself (credential, scope, handle) are problem documents.
                var polled = isProblem ? null : JsonSerializer.Deserialize<DeviceConsentApi.PollResponse>(text);
                if (status == 202 && polled is not null) { interval = Math.Max(1, polled.Interval); continue; }
                if (polled?.Title is { } title)
                {
                    LocalBroker.Write(status == 200 ? output : errors, new ConsentOutcome(status, title, polled.Detail ?? []));
                    return status == 200 ? 0 : 1;
                }
                await errors.WriteLineAsync($"The broker refused ({status}): {BrokerConnection.ProblemDetail(text) ?? text}{BrokerConnection.HintFor((System.Net.HttpStatusCode)status)}");
                return 1;
            }
        }
        catch (Exception e) when (e is HttpRequestException or JsonException || (e is TaskCanceledException && !deadline.IsCancellationRequested))
        {
            await errors.WriteLineAsync($"Cannot reach the broker at {baseAddress}: {e.Message}");
            return 2;
        }
    }

    private static async Task<(int Status, string Text, bool IsProblem)> PostAsync<T>(HttpClient http, BrokerConnection broker, ParseResult result, string route, T body, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "api/" + route) { Content = JsonContent.Create(body) };
        broker.Authorize(request, result);
        using var response = await http.SendAsync(request, cancellationToken);
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync(cancellationToken),
            response.Content.Headers.ContentType?.MediaType == "application/problem+json");
    }
}
