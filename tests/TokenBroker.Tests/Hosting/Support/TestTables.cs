using TokenBroker.Functions;
using TokenBroker.Hosting.Functions;

namespace TokenBroker.Tests.Hosting.Support;

/// <summary>Sets of test functions, the way the hosting is meant to be exercised: the tests declare them as [Function] classes.</summary>
internal static class TestTables
{
    /// <summary>The settings the spine's %references% need; <see cref="RunningBroker"/> passes them unless a test overrides them.</summary>
    public static readonly IReadOnlyDictionary<string, string> SpineSettings = new Dictionary<string, string>
    {
        ["TickSchedule"] = "0 */5 * * * *",
        ["WorkQueue"] = "work-items",
        ["DoomedQueue"] = "doomed-items",
    };

    public static FunctionCatalog Spine(bool runOnStartup = false) => FunctionCatalog.ForTypes(
    [
        typeof(HealthFunction),
        typeof(TestHttpFunctions),
        runOnStartup ? typeof(StartupTimerFunction) : typeof(RecordingTimerFunction),
        typeof(RecordingQueueFunction),
        typeof(FailingQueueFunction),
    ]);
}
