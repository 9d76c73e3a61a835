using System.Diagnostics;
using TokenBroker.Tests.Hosting.Support;

namespace TokenBroker.Tests.Jobs.Events;

/// <summary>
/// Runs the documented receiver-side recipe, docs/examples/verify_webhook.py (Python standard library only): an
/// implementation independent of the broker's. Returns its exit code: 0 valid, 1 bad signature, 2 stale timestamp.
/// </summary>
internal static class PythonWebhookVerifier
{
    public static string Script => Path.Combine(RepositoryRoot.Path, "docs", "examples", "verify_webhook.py");

    public static async Task<int> RunAsync(string secret, SignedDelivery delivery, long? now, CancellationToken cancellationToken)
    {
        var bodyFile = Path.GetTempFileName();
        try
        {
            await File.WriteAllBytesAsync(bodyFile, delivery.Body, cancellationToken);
            var start = new ProcessStartInfo("python3") { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var argument in new[] { Script, secret, delivery.Id, delivery.Timestamp, delivery.Signature, bodyFile })
                start.ArgumentList.Add(argument);
            if (now is { } seconds) start.ArgumentList.Add(seconds.ToString(System.Globalization.CultureInfo.InvariantCulture));
            using var process = Process.Start(start)!;
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(30));
            await process.WaitForExitAsync(timeout.Token);
            return process.ExitCode;
        }
        finally
        {
            File.Delete(bodyFile);
        }
    }
}
