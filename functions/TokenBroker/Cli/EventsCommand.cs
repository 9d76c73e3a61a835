using System.CommandLine;
using System.Text.Json;
using TokenBroker.Jobs.Events.Journal;

namespace TokenBroker.Cli;

/// <summary>`tokenbroker events [--mailbox X] [--limit N] [--json]`: the recent events of a running broker, newest first. Exit codes: 0, 2 refused or unreachable.</summary>
public static class EventsCommand
{
    public static Command Create()
    {
        var broker = new BrokerConnection();
        var mailbox = new Option<string?>("--mailbox") { Description = "Only events about this mailbox." };
        var limit = new Option<int>("--limit") { Description = $"How many (1-{IEventJournal.Capacity}).", DefaultValueFactory = _ => EventsApi.DefaultLimit };
        var json = new Option<bool>("--json") { Description = "Print the events as the broker sent them (JSON)." };
        var command = new Command("events", "List the recent events (state changes, mail sent/failed, fetches), newest first.") { mailbox, limit, json };
        broker.AddTo(command);
        command.SetAction(async (result, cancellationToken) =>
        {
            var query = $"events?limit={result.GetValue(limit)}" + (result.GetValue(mailbox) is { Length: > 0 } m ? "&mailbox=" + Uri.EscapeDataString(m) : "");
            var (answer, problem) = await BrokerCall.SendAsync(broker, result, HttpMethod.Get, query, TimeSpan.FromSeconds(30), cancellationToken);
            if (answer is not { IsSuccess: true })
            {
                result.InvocationConfiguration.Error.WriteLine($"tokenbroker events: {(answer is null ? "could not ask the broker: " + problem : answer.Refusal)}");
                return 2;
            }
            var output = result.InvocationConfiguration.Output;
            if (result.GetValue(json))
            {
                output.WriteLine(answer.Body);
                return 0;
            }
            using var document = JsonDocument.Parse(answer.Body);
            var events = document.RootElement.GetProperty("events");
            if (events.GetArrayLength() == 0) output.WriteLine("No events.");
            foreach (var e in events.EnumerateArray())
            {
                string Field(string name) => e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString()! : "";
                var change = Field("from").Length > 0 ? $" {Field("from")} -> {Field("to")}" : "";
                var request = Field("requestId").Length > 0 ? $" request {Field("requestId")}" : "";
                output.WriteLine($"{Field("at")}  {Field("type")}  {Field("mailbox")}{change}{request}{(Field("reason").Length > 0 ? ": " + Field("reason") : "")}");
            }
            return 0;
        });
        return command;
    }
}
