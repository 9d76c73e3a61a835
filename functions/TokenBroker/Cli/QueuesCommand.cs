using System.CommandLine;
using System.Text.Json;
using TokenBroker.Jobs.Queues;

namespace TokenBroker.Cli;

/// <summary>
/// `tokenbroker queues`: queue depths and the poisoned mail requests with their reasons; `tokenbroker queues requeue ID`
/// puts one back on mail-requests. Exit codes: 0 done, 2 refused, not found, or the broker could not be asked.
/// </summary>
public static class QueuesCommand
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static Command Create()
    {
        var broker = new BrokerConnection();
        var command = new Command("queues", "Show queue depths and the poisoned mail requests with their reasons.");
        broker.AddTo(command);
        command.SetAction(async (result, cancellationToken) =>
        {
            var (answer, problem) = await BrokerCall.SendAsync(broker, result, HttpMethod.Get, QueuesApi.Route, TimeSpan.FromSeconds(30), cancellationToken);
            if (answer is not { IsSuccess: true }) return Fail(result, "queues", answer, problem);
            var report = JsonSerializer.Deserialize<QueuesApi.QueuesReport>(answer.Body, Json)!;
            var output = result.InvocationConfiguration.Output;
            foreach (var depth in report.Depths) output.WriteLine($"{depth.Queue,-24} {depth.Messages}");
            output.WriteLine(report.Poisoned.Count == 0 ? "No poisoned requests." : "Poisoned requests (requeue with `tokenbroker queues requeue ID`):");
            foreach (var request in report.Poisoned)
                output.WriteLine($"  {request.Id}  {request.Kind ?? "?"} {request.RequestId ?? "(no id)"} of {request.Mailbox ?? "?"}, {request.PoisonedAt.UtcDateTime:yyyy-MM-dd HH:mm}Z: {request.Reason}");
            return 0;
        });
        command.Subcommands.Add(Requeue());
        return command;
    }

    private static Command Requeue()
    {
        var broker = new BrokerConnection();
        var id = new Argument<string>("id") { Description = "The poisoned message's id, as `tokenbroker queues` lists it." };
        var command = new Command("requeue", "Put a poisoned mail request back on mail-requests.") { id };
        broker.AddTo(command);
        command.SetAction(async (result, cancellationToken) =>
        {
            var path = QueuesApi.RequeueRoute.Replace("{id}", Uri.EscapeDataString(result.GetValue(id)!), StringComparison.Ordinal);
            var (answer, problem) = await BrokerCall.SendAsync(broker, result, HttpMethod.Post, path, TimeSpan.FromSeconds(30), cancellationToken);
            if (answer is not { IsSuccess: true }) return Fail(result, "queues requeue", answer, problem);
            var request = JsonSerializer.Deserialize<PoisonedRequest>(answer.Body, Json)!;
            result.InvocationConfiguration.Output.WriteLine($"Request {request.RequestId ?? request.Id} of {request.Mailbox ?? "?"} is back on mail-requests.");
            return 0;
        });
        return command;
    }

    private static int Fail(ParseResult result, string name, BrokerCall.Answer? answer, string? problem)
    {
        result.InvocationConfiguration.Error.WriteLine($"tokenbroker {name}: {(answer is null ? "could not ask the broker: " + problem : answer.Refusal)}");
        return 2;
    }
}
