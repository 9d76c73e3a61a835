using TokenBroker.Hosting;
using TokenBroker.Tests.Hosting.Support;
using static TokenBroker.Hosting.Functions.FunctionDeclarations;

namespace TokenBroker.Tests.Hosting;

public class FunctionTableTests
{
    [Fact]
    public void A_function_name_declared_twice_is_refused()
    {
        var error = Assert.Throws<ArgumentException>(() => new FunctionTable(
        [
            Queue<RecordingQueueFunction>("Work", "a-queue"),
            Timer<RecordingTimerFunction>("work", "0 * * * * *"),
        ]));
        Assert.Contains("is declared more than once", error.Message);
    }

    [Fact]
    public void A_function_name_that_is_not_a_safe_folder_name_is_refused()
    {
        var error = Assert.Throws<ArgumentException>(() => new FunctionTable([Queue<RecordingQueueFunction>("../evil", "a-queue")]));
        Assert.Contains("'../evil' is not valid", error.Message);
    }

    [Fact]
    public void All_queues_lists_trigger_and_output_queues_once_timer_outputs_included()
    {
        var queues = TestTables.Spine().AllQueues().Select(q => q.QueueName).ToList();
        Assert.Equal(["work-items", "doomed-items", "work-results", "tick-results"], queues);
    }
}
