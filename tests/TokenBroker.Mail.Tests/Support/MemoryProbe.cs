using System.Diagnostics;

namespace TokenBroker.Mail.Tests.Support;

/// <summary>
/// How much managed memory was allocated, and how far the working set grew, while a test ran. Process-wide figures:
/// only meaningful in a collection that runs alone (<see cref="MemoryMeasuredCollection"/>).
/// </summary>
public sealed class MemoryProbe
{
    private readonly long _allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
    private readonly long _workingSetBefore = CurrentWorkingSet();

    public long AllocatedBytes => GC.GetTotalAllocatedBytes(precise: true) - _allocatedBefore;

    public long WorkingSetGrowth => CurrentWorkingSet() - _workingSetBefore;

    private static long CurrentWorkingSet()
    {
        using var process = Process.GetCurrentProcess();
        return process.WorkingSet64;
    }
}

/// <summary>Tests that measure process-wide memory run alone, not beside other tests allocating.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class MemoryMeasuredCollection
{
    public const string Name = "memory measured";
}
