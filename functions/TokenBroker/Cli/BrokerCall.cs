using System.CommandLine;

namespace TokenBroker.Cli;

/// <summary>One request from a CLI command to a running broker: the answer's status and body, or the sentence why it could not be asked.</summary>
internal static class BrokerCall
{
    public sealed record Answer(System.Net.HttpStatusCode Status, string Body)
    {
        public bool IsSuccess => (int)Status is >= 200 and < 300;

        /// <summary>The problem's sentence (or the body), and how to give a credential after a 401/403.</summary>
        public string Refusal => (BrokerConnection.ProblemDetail(Body) ?? Body) + BrokerConnection.HintFor(Status);
    }

    /// <summary>Null with <paramref name="problem"/> set when the broker could not be reached within the timeout.</summary>
    public static async Task<(Answer? Answer, string? Problem)> SendAsync(BrokerConnection broker, ParseResult result, HttpMethod method, string pathAndQuery,
        TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (broker.BaseAddress(result) is not { } baseAddress) return (null, "--url must be an http:// or https:// address.");
        try
        {
            using var http = new HttpClient { Timeout = timeout };
            using var request = new HttpRequestMessage(method, new Uri(baseAddress, "/api/" + pathAndQuery));
            broker.Authorize(request, result);
            using var response = await http.SendAsync(request, cancellationToken);
            return (new Answer(response.StatusCode, await response.Content.ReadAsStringAsync(cancellationToken)), null);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return (null, e is TaskCanceledException && !cancellationToken.IsCancellationRequested ? $"no answer within {timeout.TotalSeconds:0} s" : e.Message);
        }
    }
}
