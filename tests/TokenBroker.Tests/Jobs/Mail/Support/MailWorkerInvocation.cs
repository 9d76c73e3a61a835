using Microsoft.Extensions.DependencyInjection;
using TokenBroker.Jobs;
using TokenBroker.Jobs.Mail;

namespace TokenBroker.Tests.Jobs.Mail.Support;

/// <summary>One queue message through a fresh mail worker built from a harness's services, as one invocation (first delivery).</summary>
internal static class MailWorkerInvocation
{
    public static async Task<InvocationOutputs> RunAsync(IServiceProvider services, string text, CancellationToken cancellationToken)
    {
        var context = new InvocationOutputs();
        var worker = ActivatorUtilities.CreateInstance<MailRequestWorker>(services);
        await worker.RunAsync(text, context, cancellationToken);
        return context;
    }
}
