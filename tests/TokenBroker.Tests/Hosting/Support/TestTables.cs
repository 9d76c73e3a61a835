using TokenBroker.Hosting;
using TokenBroker.Hosting.Functions;
using TokenBroker.Hosting.Health;
using static TokenBroker.Hosting.Functions.FunctionDeclarations;

namespace TokenBroker.Tests.Hosting.Support;

/// <summary>Tables of test functions, the way the spine is meant to be exercised: the tests declare them.</summary>
internal static class TestTables
{
    public static FunctionTable Spine(string schedule = "0 */5 * * * *", bool runOnStartup = false) => new(
    [
        HealthApi.Function,
        Http("Echo", "echo/{word}", "GET", HttpAuthLevel.Anonymous, (string word) => TypedResultsEcho(word)),
        Http("Secret", "secret", "GET", HttpAuthLevel.Function, () => "admin only"),
        Timer<RecordingTimerFunction>("Tick", schedule, runOnStartup, outputs: QueueOutput("ticks", "tick-results")),
        Queue<RecordingQueueFunction>("Work", "work-items", QueueOutput("results", "work-results")),
        Queue<FailingQueueFunction>("Doomed", "doomed-items"),
    ]);

    private static Microsoft.AspNetCore.Http.IResult TypedResultsEcho(string word) =>
        Microsoft.AspNetCore.Http.TypedResults.Ok(new { word });
}
