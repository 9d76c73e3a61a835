using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using TokenBroker.Hosting;
using TokenBroker.Tests.Hosting.Support;

namespace TokenBroker.Tests.Hosting;

/// <summary>The face the Functions host calls, driven with the documented payloads.</summary>
public class CustomHandlerTests
{
    private readonly InvocationRecorder _recorder = new();

    private Task<RunningBroker> StartAsync() =>
        RunningBroker.StartAsync(HostingMode.CustomHandler, TestTables.Spine(), services => services.AddSingleton(_recorder));

    private static async Task<(HttpStatusCode Status, JsonNode Body)> InvokeAsync(RunningBroker broker, string function, string payload)
    {
        using var response = await broker.Client.PostAsync(function, new StringContent(payload, Encoding.UTF8, "application/json"), TestContext.Current.CancellationToken);
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        return (response.StatusCode, JsonNode.Parse(text)!);
    }

    private const string QueuePayload = """
        {"Data":{"message":"\"hello queue\""},
         "Metadata":{"DequeueCount":3,"Id":"\"b2d3\"","InsertionTime":"2026-11-21T10:00:00+00:00","ExpirationTime":"2026-11-28T10:00:00+00:00",
                     "NextVisibleTime":"2026-11-21T10:10:00+00:00","PopReceipt":"\"AgAAAA==\"","sys":{"MethodName":"Work","UtcNow":"2026-11-21T10:00:01Z","RandGuid":"5f0e"}}}
        """;

    [Fact]
    public async Task The_root_answers_so_the_host_knows_the_handler_has_started()
    {
        await using var broker = await StartAsync();

        using var response = await broker.Client.GetAsync("/", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task The_root_answers_that_the_handler_is_ready_in_plain_text()
    {
        await using var broker = await StartAsync();

        using var response = await broker.Client.GetAsync("/", TestContext.Current.CancellationToken);

        Assert.Equal("text/plain; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        Assert.Equal("TokenBroker custom handler is ready.", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Invocations_sent_right_after_the_first_readiness_answer_are_served_while_the_route_table_is_built_behind_it()
    {
        await using var broker = await StartAsync();
        using var ready = await broker.Client.GetAsync("/", TestContext.Current.CancellationToken);

        var answers = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => InvokeAsync(broker, "/Work", QueuePayload)));

        Assert.All(answers, answer => Assert.Equal(HttpStatusCode.OK, answer.Status));
        Assert.Equal(4, _recorder.Messages.Count);
    }

    [Fact]
    public async Task A_queue_invocation_hands_the_function_the_message_text_unwrapped_once()
    {
        await using var broker = await StartAsync();

        var (status, _) = await InvokeAsync(broker, "/Work", QueuePayload);

        Assert.Equal(HttpStatusCode.OK, status);
        var message = Assert.Single(_recorder.Messages);
        Assert.Equal("hello queue", message.Text);
    }

    [Fact]
    public async Task A_queue_invocation_passes_the_trigger_metadata()
    {
        await using var broker = await StartAsync();

        await InvokeAsync(broker, "/Work", QueuePayload);

        var message = Assert.Single(_recorder.Messages);
        Assert.Equal(3, message.DequeueCount);
        Assert.Equal("b2d3", message.Id);
        Assert.Equal("AgAAAA==", message.PopReceipt);
        Assert.Equal(new DateTimeOffset(2026, 11, 28, 10, 0, 0, TimeSpan.Zero), message.ExpirationTime);
    }

    [Fact]
    public async Task A_json_message_delivered_as_an_object_arrives_as_its_json_text()
    {
        await using var broker = await StartAsync();

        await InvokeAsync(broker, "/Work", """{"Data":{"message":{"kind":"send","n":1}},"Metadata":{"DequeueCount":1}}""");

        Assert.Equal("""{"kind":"send","n":1}""", Assert.Single(_recorder.Messages).Text);
    }

    [Fact]
    public async Task Queue_outputs_come_back_as_json_text_under_their_binding_name_with_the_logs()
    {
        await using var broker = await StartAsync();

        var (status, body) = await InvokeAsync(broker, "/Work", """{"Data":{"message":"{\"echo\":42}"},"Metadata":{"DequeueCount":1,"Id":"m1"}}""");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("""{"echo":42}""", (string?)body["Outputs"]!["results"]![0]);
        Assert.Contains(body["Logs"]!.AsArray(), line => ((string?)line)!.Contains("Received message m1"));
        Assert.Null(body["ReturnValue"]);
    }

    [Fact]
    public async Task A_timer_invocation_reports_whether_it_is_past_due_and_the_schedule_status()
    {
        await using var broker = await StartAsync();

        var (status, _) = await InvokeAsync(broker, "/Tick", """
            {"Data":{"timer":{"Schedule":{"AdjustForDST":true},"ScheduleStatus":{"Last":"2026-11-21T09:55:00+00:00","Next":"2026-11-21T10:05:00+00:00","LastUpdated":"2026-11-21T09:55:00+00:00"},"IsPastDue":true}},"Metadata":{}}
            """);

        Assert.Equal(HttpStatusCode.OK, status);
        var timer = Assert.Single(_recorder.Timers);
        Assert.True(timer.IsPastDue);
        Assert.Equal(new DateTimeOffset(2026, 11, 21, 9, 55, 0, TimeSpan.Zero), timer.Last);
    }

    [Fact]
    public async Task Timer_outputs_come_back_under_their_binding_name()
    {
        await using var broker = await StartAsync();

        var (status, body) = await InvokeAsync(broker, "/Tick", """{"Data":{"timer":{"Schedule":{},"ScheduleStatus":null,"IsPastDue":true}},"Metadata":{}}""");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("""{"pastDue":true}""", (string?)body["Outputs"]!["ticks"]![0]);
    }

    [Fact]
    public async Task A_timer_invocation_without_schedule_status_is_accepted()
    {
        await using var broker = await StartAsync();

        var (status, _) = await InvokeAsync(broker, "/Tick", """{"Data":{"timer":{"Schedule":{},"ScheduleStatus":null,"IsPastDue":false}},"Metadata":{}}""");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.False(Assert.Single(_recorder.Timers).IsPastDue);
    }

    [Fact]
    public async Task A_failing_function_answers_a_non_2xx_status_so_the_host_retries_and_poisons()
    {
        await using var broker = await StartAsync();

        var (status, body) = await InvokeAsync(broker, "/Doomed", """{"Data":{"message":"\"x\""},"Metadata":{"DequeueCount":1}}""");

        Assert.Equal(HttpStatusCode.InternalServerError, status);
        Assert.Contains(body["Logs"]!.AsArray(), line => ((string?)line)!.Contains("the handler always fails"));
    }

    [Theory]
    [InlineData("not json at all", "is not valid JSON")]
    [InlineData("[1,2]", "must be a JSON object")]
    [InlineData("""{"Metadata":{}}""", "has no 'Data' object")]
    [InlineData("""{"Data":{"other":"x"},"Metadata":{}}""", "has no message in Data.message")]
    [InlineData("""{"Data":{"message":"x"},"Metadata":{"DequeueCount":"many"}}""", "DequeueCount for 'Work' must be a whole number")]
    [InlineData("""{"Data":{"message":"x"},"Metadata":{"InsertionTime":"yesterday"}}""", "InsertionTime for 'Work' must be a date and time")]
    public async Task A_malformed_queue_payload_gets_a_400_with_a_sentence(string payload, string sentence)
    {
        await using var broker = await StartAsync();

        var (status, body) = await InvokeAsync(broker, "/Work", payload);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains(sentence, (string?)body["error"]);
        Assert.Empty(_recorder.Messages);
    }

    [Fact]
    public async Task A_malformed_timer_payload_gets_a_400_with_a_sentence()
    {
        await using var broker = await StartAsync();

        var (status, body) = await InvokeAsync(broker, "/Tick", """{"Data":{"timer":"not json"},"Metadata":{}}""");

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("is a string that is not JSON", (string?)body["error"]);
    }

    [Fact]
    public async Task An_unknown_function_gets_a_404_naming_it()
    {
        await using var broker = await StartAsync();

        var (status, body) = await InvokeAsync(broker, "/Nope", "{}");

        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.Contains("no function named 'Nope'", (string?)body["error"]);
    }

    [Fact]
    public async Task A_forwarded_http_request_reaches_its_route_under_api()
    {
        await using var broker = await StartAsync();

        var body = await broker.Client.GetFromJsonAsync<JsonObject>("/api/echo/hello", TestContext.Current.CancellationToken);

        Assert.Equal("hello", (string?)body!["word"]);
    }
}
