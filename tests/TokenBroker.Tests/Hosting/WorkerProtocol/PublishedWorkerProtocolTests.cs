using System.Text.Json;
using TokenBroker.Tests.Hosting.WorkerProtocol.Rpc;

namespace TokenBroker.Tests.Hosting.WorkerProtocol;

/// <summary>
/// The published isolated worker, started and driven as the Functions host drives it over FunctionRpc
/// (the host itself cannot run here): handshake, function indexing and loading, and one invocation of
/// each trigger kind.
/// </summary>
public sealed class PublishedWorkerProtocolTests(PublishedWorker worker) : IClassFixture<PublishedWorker>
{
    private const string HealthFunction = "Health";
    private const string RefreshFunction = "RefreshTokens";
    private const string MailWorkerFunction = "MailWorker";
    private const string EventsQueue = "broker-events";

    private WorkerSession Session => worker.Session;

    [Fact]
    public void Published_worker_opens_the_event_stream_with_the_worker_id_it_was_started_with()
    {
        Assert.True(Session.StartStream.WorkerId == Session.WorkerId,
            Session.Report($"StartStream named worker {Session.StartStream.WorkerId}, it was started as {Session.WorkerId}."));
    }

    [Fact]
    public void Published_worker_initializes_and_advertises_a_loopback_address_for_proxied_HTTP_requests()
    {
        Assert.True(Session.InitResponse.Result.Status == StatusResult.Types.Status.Success, Session.Report("WorkerInitResponse is not a success."));
        Assert.True(Session.HttpUri is { IsLoopback: true, Scheme: "http" },
            Session.Report($"The HttpUri capability is {Session.HttpUri?.ToString() ?? "absent"}, not an http loopback address."));
    }

    [Fact]
    public void Published_worker_reports_the_functions_of_functions_metadata()
    {
        var differences = MetadataComparison.Differences(
            File.ReadAllText(Session.Folder.FunctionsMetadataFile), Session.MetadataResponse.FunctionMetadataResults);

        Assert.True(differences.Count == 0,
            Session.Report("The worker's FunctionMetadataResponse differs from functions.metadata:\n  " + string.Join("\n  ", differences)));
    }

    [Fact]
    public void Published_worker_loads_every_function_it_reported()
    {
        var failed = Session.LoadResponses.Where(response => response.Result.Status != StatusResult.Types.Status.Success).ToArray();

        Assert.True(Session.LoadResponses.Count == Session.MetadataResponse.FunctionMetadataResults.Count && failed.Length == 0,
            Session.Report("Not every FunctionLoadRequest succeeded: " +
                           string.Join("; ", failed.Select(response => $"{response.FunctionId} {MessageSummary.Of(response.Result)}"))));
    }

    [Fact]
    public async Task Published_worker_answers_a_Health_request_proxied_to_its_HttpUri_as_the_functions_worker_and_reports_the_invocation_succeeded()
    {
        var httpUri = Session.HttpUri ?? throw new InvalidOperationException(Session.Report("The worker advertised no HttpUri."));
        var trigger = Session.Trigger(HealthFunction);
        var method = trigger.Property("methods")?.Split(',')[0] ?? "get";
        var path = $"{Session.Folder.RoutePrefix()}/{trigger.Property("route") ?? HealthFunction}";
        var invocationId = Guid.NewGuid().ToString();
        using var proxy = new HttpProxy();

        // As the host does: start forwarding the request, then send the invocation.
        var answering = proxy.ForwardAsync(httpUri, method, path, invocationId);
        var response = await Session.InvokeAsync(HostMessages.HttpInvocation(
            invocationId, Session.Function(HealthFunction).FunctionId, trigger.Name, proxy.ForwardedHeaders(invocationId)));
        var answer = await answering;

        var report = Session.Report($"{method.ToUpperInvariant()} {path} answered {answer}");
        Assert.True(response.Result.Status == StatusResult.Types.Status.Success, report);
        Assert.True(answer.Status == 200, report);
        Assert.True(answer.MediaType == "application/json", report);
        Assert.True(IsJsonObject(answer.Body), report);
        Assert.True(JsonDocument.Parse(answer.Body).RootElement.GetProperty("mode").GetString() == "functions-worker", report);
    }

    [Fact]
    public async Task Published_worker_answers_the_dashboard_with_its_sign_in_form()
    {
        var httpUri = Session.HttpUri ?? throw new InvalidOperationException(Session.Report("The worker advertised no HttpUri."));
        var trigger = Session.Trigger("Dashboard");
        var path = $"{Session.Folder.RoutePrefix()}/{trigger.Property("route")}";
        var invocationId = Guid.NewGuid().ToString();
        using var proxy = new HttpProxy();

        var answering = proxy.ForwardAsync(httpUri, "get", path, invocationId);
        var response = await Session.InvokeAsync(HostMessages.HttpInvocation(
            invocationId, Session.Function("Dashboard").FunctionId, trigger.Name, proxy.ForwardedHeaders(invocationId)));
        var answer = await answering;

        var report = Session.Report($"GET {path} answered {answer}");
        Assert.True(response.Result.Status == StatusResult.Types.Status.Success, report);
        Assert.True(answer.Status == 200 && answer.MediaType == "text/html", report);
        Assert.True(answer.Body.Contains("Client secret or master key", StringComparison.Ordinal), report);
    }

    [Fact]
    public async Task Published_worker_runs_the_RefreshTokens_timer_invocation_successfully()
    {
        var trigger = Session.Trigger(RefreshFunction);

        var response = await Session.InvokeAsync(HostMessages.TimerInvocation(
            Guid.NewGuid().ToString(), Session.Function(RefreshFunction).FunctionId, trigger.Name, DateTimeOffset.UtcNow));

        Assert.True(response.Result.Status == StatusResult.Types.Status.Success,
            Session.Report($"The timer invocation ended {MessageSummary.Of(response.Result)}."));
    }

    [Fact]
    public async Task Published_worker_answers_a_MailWorker_message_that_is_not_JSON_with_one_poison_message_and_one_event()
    {
        var function = Session.Function(MailWorkerFunction);
        var trigger = Session.Trigger(MailWorkerFunction);
        var poisonQueue = trigger.Property("queueName") + "-poison";
        var poisonBinding = QueueOutput.BindingFor(function, poisonQueue)
            ?? throw new InvalidOperationException(Session.Report($"{MailWorkerFunction} has no queue output to {poisonQueue}."));
        var eventsBinding = QueueOutput.BindingFor(function, EventsQueue)
            ?? throw new InvalidOperationException(Session.Report($"{MailWorkerFunction} has no queue output to {EventsQueue}."));

        var response = await Session.InvokeAsync(HostMessages.QueueInvocation(
            Guid.NewGuid().ToString(), function.FunctionId, trigger.Name, "this is not JSON", Guid.NewGuid().ToString(), dequeueCount: 1, DateTimeOffset.UtcNow));

        IReadOnlyList<string> Output(string binding) =>
            QueueOutput.Messages(response.OutputData.FirstOrDefault(output => output.Name == binding)?.Data);
        var report = Session.Report(
            $"{MailWorkerFunction} ended {MessageSummary.Of(response.Result)}; {poisonBinding} ({poisonQueue}) got {Output(poisonBinding).Count} message(s), " +
            $"{eventsBinding} ({EventsQueue}) got {Output(eventsBinding).Count}.");
        Assert.True(response.Result.Status == StatusResult.Types.Status.Success, report);
        Assert.True(Output(poisonBinding).Count == 1, report);
        Assert.True(Output(eventsBinding).Count == 1, report);
    }

    private static bool IsJsonObject(string text)
    {
        try
        {
            using var document = JsonDocument.Parse(text);
            return document.RootElement.ValueKind == JsonValueKind.Object;
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
