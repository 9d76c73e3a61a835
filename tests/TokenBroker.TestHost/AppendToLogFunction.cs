using System.Text;
using Microsoft.Extensions.Configuration;
using TokenBroker.Hosting.Functions;

namespace TokenBroker.TestHost;

/// <summary>Works a while, then records the message durably: what is in the log was handled.</summary>
internal sealed class AppendToLogFunction(IConfiguration configuration) : IQueueFunction
{
    private static readonly SemaphoreSlim Gate = new(1, 1);

    public async Task RunAsync(QueueTriggerMessage message, InvocationOutputs context, CancellationToken cancellationToken)
    {
        await Task.Delay(int.Parse(configuration["TestHost:DelayMs"] ?? "0", System.Globalization.CultureInfo.InvariantCulture), cancellationToken);
        await Gate.WaitAsync(cancellationToken);
        try
        {
            await using var log = new FileStream(configuration["TestHost:ProcessedLog"]!, FileMode.Append, FileAccess.Write, FileShare.ReadWrite);
            await log.WriteAsync(Encoding.UTF8.GetBytes(message.Text + "\n"), cancellationToken);
            log.Flush(flushToDisk: true);
        }
        finally
        {
            Gate.Release();
        }
    }
}
