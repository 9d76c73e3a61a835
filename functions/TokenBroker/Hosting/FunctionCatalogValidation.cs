using Microsoft.Extensions.Configuration;
using TokenBroker.Hosting.Configuration;
using TokenBroker.Hosting.Standalone;
using TokenBroker.Queues;

using TokenBroker.Hosting.Functions;

namespace TokenBroker.Hosting;

/// <summary>Fails the start, with one sentence, when a setting a function refers to is missing or unusable.</summary>
internal static class FunctionCatalogValidation
{
    public static void Validate(FunctionCatalog table, HostingMode mode, IConfiguration configuration)
    {
        foreach (var (queue, _) in table.AllQueues())
        {
            var name = SettingReference.Resolve(queue, configuration);
            QueueNames.Validate(name);
            QueueNames.Validate(PoisonQueue.NameFor(name));
        }
        if (mode == HostingMode.Standalone)
        {
            foreach (var timer in table.Timers)
                TimerScheduler.ParseSchedule(timer, configuration);
        }
    }
}
