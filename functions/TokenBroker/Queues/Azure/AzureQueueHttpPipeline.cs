using System.Net;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace TokenBroker.Queues;

/// <summary>
/// Sends one REST call: each attempt builds a fresh request (and so a fresh signature), is bounded by the
/// per-request timeout, and transient failures (5xx, 429, network errors, timeouts) are retried with
/// exponential backoff. Retrying a Put Message can, rarely, add a message twice: queues are at-least-once.
/// </summary>
internal sealed class AzureQueueHttpPipeline
{
    private readonly HttpClient _http;
    private readonly QueueRequestAuthenticator _authenticator;
    private readonly string _apiVersion;
    private readonly ResiliencePipeline<HttpResponseMessage> _resilience;

    public AzureQueueHttpPipeline(HttpClient http, QueueRequestAuthenticator authenticator, AzureQueueTransportOptions options, TimeProvider time, ILogger logger)
    {
        _http = http;
        _authenticator = authenticator;
        _apiVersion = options.ApiVersion;
        var builder = new ResiliencePipelineBuilder<HttpResponseMessage> { TimeProvider = time };
        if (options.MaxRetries > 0)
        {
            builder.AddRetry(new RetryStrategyOptions<HttpResponseMessage>
            {
                MaxRetryAttempts = options.MaxRetries,
                Delay = options.RetryDelay,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                ShouldHandle = new PredicateBuilder<HttpResponseMessage>()
                    .Handle<HttpRequestException>()
                    .Handle<TimeoutRejectedException>()
                    .HandleResult(response => IsTransient(response.StatusCode)),
                OnRetry = arguments =>
                {
                    logger.LogWarning("Azure Storage queue request '{Operation}' attempt {Attempt} failed ({Outcome}); retrying in {Delay} ms.",
                        arguments.Context.OperationKey, arguments.AttemptNumber + 1,
                        arguments.Outcome.Exception is { } error ? $"{error.GetType().Name}: {error.Message}" : $"{(int)arguments.Outcome.Result!.StatusCode} {arguments.Outcome.Result.ReasonPhrase}",
                        (long)arguments.RetryDelay.TotalMilliseconds);
                    arguments.Outcome.Result?.Dispose();
                    return ValueTask.CompletedTask;
                },
            });
        }
        _resilience = builder.AddTimeout(options.RequestTimeout).Build();
    }

    /// <summary>Sends the request <paramref name="createRequest"/> builds; the caller disposes the response.</summary>
    /// <param name="attempts">Counts the attempts made, for callers whose reading of the answer depends on a retry.</param>
    public async Task<HttpResponseMessage> SendAsync(string operation, Func<HttpRequestMessage> createRequest, CancellationToken cancellationToken) =>
        await SendAsync(operation, createRequest, attempts: null, cancellationToken).ConfigureAwait(false);

    public async Task<HttpResponseMessage> SendAsync(string operation, Func<HttpRequestMessage> createRequest, StrongBox<int>? attempts, CancellationToken cancellationToken)
    {
        var context = ResilienceContextPool.Shared.Get(operation, cancellationToken);
        try
        {
            return await _resilience.ExecuteAsync(async attempt =>
            {
                var token = attempt.CancellationToken;
                if (attempts is not null) attempts.Value++;
                using var request = createRequest();
                request.Headers.TryAddWithoutValidation("x-ms-version", _apiVersion);
                await _authenticator.AuthenticateAsync(request, token).ConfigureAwait(false);
                return await _http.SendAsync(request, HttpCompletionOption.ResponseContentRead, token).ConfigureAwait(false);
            }, context).ConfigureAwait(false);
        }
        catch (TimeoutRejectedException e)
        {
            throw new TimeoutException($"Azure Storage queue request '{operation}' timed out on every attempt.", e);
        }
        catch (HttpRequestException e)
        {
            throw new HttpRequestException($"Azure Storage queue request '{operation}' failed: {e.Message}", e, e.StatusCode);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    /// <summary>Turns an unsuccessful response into <see cref="QueueRequestFailedException"/> with the service's code and message.</summary>
    public static async Task<QueueRequestFailedException> FailureAsync(string operation, HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        var (code, message) = AzureQueueXml.ParseError(body);
        if (response.Headers.TryGetValues("x-ms-error-code", out var codes)) code = codes.FirstOrDefault() ?? code;
        return new QueueRequestFailedException(operation, response.StatusCode, code, message ?? response.ReasonPhrase);
    }

    private static bool IsTransient(HttpStatusCode status) =>
        status is HttpStatusCode.TooManyRequests or HttpStatusCode.RequestTimeout || (int)status >= 500;
}
