using Azure.Core;
using Azure.Core.Pipeline;
using Microsoft.Extensions.Logging;

namespace TokenBroker.StorageAccount;

/// <summary>
/// Runs once per attempt (after the SDK's retry policy): counts attempts for a <see cref="StorageAttemptCount"/> scope, and
/// logs an attempt that failed transiently, which the SDK otherwise only reports to its EventSource. Logs the method and
/// path only: the query may hold a SAS, the headers a key signature or a token.
/// </summary>
internal sealed class StorageAttemptPolicy(StorageService service, ILogger logger) : HttpPipelinePolicy
{
    public override async ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        var attempt = StorageAttemptCount.Record(message);
        try
        {
            await ProcessNextAsync(message, pipeline).ConfigureAwait(false);
        }
        catch (Exception e) when (IsRetriable(message, e))
        {
            LogFailedAttempt(message, attempt, $"{e.GetType().Name}: {e.Message}");
            throw;
        }
        LogIfRetriable(message, attempt);
    }

    public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        var attempt = StorageAttemptCount.Record(message);
        try
        {
            ProcessNext(message, pipeline);
        }
        catch (Exception e) when (IsRetriable(message, e))
        {
            LogFailedAttempt(message, attempt, $"{e.GetType().Name}: {e.Message}");
            throw;
        }
        LogIfRetriable(message, attempt);
    }

    // A network error, or an attempt cut off by the network timeout rather than by the caller's token.
    private static bool IsRetriable(HttpMessage message, Exception error) =>
        !message.CancellationToken.IsCancellationRequested && (error is OperationCanceledException || message.ResponseClassifier.IsRetriableException(error));

    private void LogIfRetriable(HttpMessage message, int attempt)
    {
        if (message.HasResponse && message.ResponseClassifier.IsRetriableResponse(message))
            LogFailedAttempt(message, attempt, $"{message.Response.Status} {message.Response.ReasonPhrase}");
    }

    private void LogFailedAttempt(HttpMessage message, int attempt, string outcome) =>
        logger.LogWarning("Azure Storage {Service} request {Method} {Path}: attempt {Attempt} failed ({Outcome}); it is retried while retries remain.",
            service.Label(), message.Request.Method, message.Request.Uri.Path, attempt, outcome);
}
