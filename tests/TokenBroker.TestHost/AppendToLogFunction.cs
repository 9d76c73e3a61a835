using System.Text;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Configuration;

namespace TokenBroker.TestHost;

/// <summary>Works a while, then records the message durably: what is in the log was handled.</summary>
public sealed class AppendToLogFunction(IConfiguration configuration)
{
    private static readonly SemaphoreSlim Gate = new(1, 1);

    [Function("Work")]
    public async Task RunAsync([QueueTrigger("crash-items")] string message, CancellationToken cancellationToken)
    {
        await Task.Delay(int.Parse(configuration["TestHost:DelayMs"] ?? "0", System.Globalization.CultureInfo.InvariantCulture), cancellationToken);
        await Gate.WaitAsync(cancellationToken);
        try
        {
            await using var log = new FileStream(configuration["TestHost:ProcessedLog"]!, FileMode.Append, FileAccess.Write, FileShare.ReadWrite);
            await log.WriteAsync(Encoding.UTF8.GetBytes(message + "\n"), cancellationToken);
            log.Flush(flushToDisk: true);
        }
        finally
        {
            Gate.Release();
        }
    }
}
