using TokenBroker.Hosting;
using TokenBroker.Hosting.Functions;
using TokenBroker.Hosting.Health;
using TokenBroker.Jobs.Mail;

namespace TokenBroker;

/// <summary>The product's function table: every function TokenBroker runs, with its trigger.</summary>
public static class BrokerFunctions
{
    public static FunctionTable Table { get; } = new(
    [
        HealthApi.Function,
        EnqueueMailApi.Function,
        FunctionDeclarations.Queue<MailWorkerFunction>(MailWorkerFunction.FunctionName, MailWorkerFunction.QueueName,
            FunctionDeclarations.QueueOutput(MailEvents.OutputBinding, MailWorkerFunction.EventsQueueName),
            FunctionDeclarations.QueueOutput(MailEvents.PoisonBinding, MailWorkerFunction.PoisonQueueName)),
    ]);
}
