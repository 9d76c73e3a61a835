using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using TokenBroker.Hosting.Functions;
using TokenBroker.Jobs.Mail;

namespace TokenBroker.Tests.Jobs.Mail.Support;

/// <summary>One queue message through a fresh mail worker built from a harness's services, as one invocation (first delivery).</summary>
internal static class MailWorkerInvocation
{
    public static async Task<InvocationOutputs> RunAsync(IServiceProvider services, string text, CancellationToken cancellationToken)
    {
        var context = new InvocationOutputs();
        var worker = ActivatorUtilities.CreateInstance<MailWorkerFunction>(services);
        await worker.RunAsync(new QueueTriggerMessage(text, Guid.NewGuid().ToString(), 1, null, null, null, null), context, cancellationToken);
        return context;
    }
}
