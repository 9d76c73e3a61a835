using System.Net;
using System.Runtime.CompilerServices;
using System.Xml.Linq;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace TokenBroker.AzureStorage;

/// <summary>
/// Sends one storage REST call: each attempt builds a fresh request (and so a fresh signature), is bounded by the
/// per-request timeout, and transient failures (5xx, 429, network errors, timeouts) are retried with exponential
/// backoff. A retried write may have landed the first time: callers make writes idempotent or conditional and
/// treat "already there" accordingly.
/// </summary>
internal sealed class StorageHttpPipeline
{
    private readonly HttpClient _http;
    private readonly StorageRequestAuthenticator _authenticator;
    private readonly StorageService _service;
    private readonly string _apiVersion;
    private readonly ResiliencePipeline<HttpResponseMessage> _resilience;

    /// <param name="logger">Retries are logged as warnings (operation, attempt, status or error; never headers).</param>
    public StorageHttpPipeline(HttpClient http, StorageRequestAuthenticator authenticator, StorageRequestOptions options, TimeProvider time, StorageService service,
        ILogger? logger = null)
    {
        logger ??= NullLogger.Instance;
        _http = http;
        _authenticator = authenticator;
        _service = service;
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
                    logger.LogWarning("Azure Storage {Service} request '{Operation}' attempt {Attempt} failed ({Outcome}); retrying in {Delay} ms.",
                        service.Label(), arguments.Context.OperationKey, arguments.AttemptNumber + 1,
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
    public Task<HttpResponseMessage> SendAsync(string operation, Func<HttpRequestMessage> createRequest, CancellationToken cancellationToken) =>
        SendAsync(operation, createRequest, attempts: null, cancellationToken);

    /// <param name="attempts">Counts the attempts made, for callers whose reading of the answer depends on a retry
    /// (a retried delete that finds the item gone has succeeded).</param>
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
            throw new TimeoutException($"Azure Storage {_service.Label()} request '{operation}' timed out on every attempt.", e);
        }
        catch (HttpRequestException e)
        {
            throw new HttpRequestException($"Azure Storage {_service.Label()} request '{operation}' failed: {e.Message}", e, e.StatusCode);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    /// <summary>The service's error code (x-ms-error-code, else the body's Code) and message of an unsuccessful response.</summary>
    public static async Task<(string? Code, string? Message)> ReadErrorAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        var (code, message) = ParseError(body);
        if (response.Headers.TryGetValues("x-ms-error-code", out var codes)) code = codes.FirstOrDefault() ?? code;
        return (code, message ?? response.ReasonPhrase);
    }

    /// <summary>Turns an unsuccessful response into <see cref="StorageRequestFailedException"/> with the service's code and message.</summary>
    public async Task<StorageRequestFailedException> FailureAsync(string operation, HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var (code, message) = await ReadErrorAsync(response, cancellationToken).ConfigureAwait(false);
        return new StorageRequestFailedException(_service, operation, response.StatusCode, code, message);
    }

    /// <summary>The Code and Message of an error body, when there is one.</summary>
    internal static (string? Code, string? Message) ParseError(string body)
    {
        if (string.IsNullOrWhiteSpace(body)) return (null, null);
        try
        {
            var root = XDocument.Parse(body).Root;
            return (root?.Element("Code")?.Value, root?.Element("Message")?.Value);
        }
        catch (System.Xml.XmlException)
        {
            return (null, body.Length > 200 ? body[..200] : body);
        }
    }

    /// <summary>
    /// Shared Key never sends the key, but requests and bodies are readable on the wire: plain http is allowed
    /// only to a local emulator on loopback.
    /// </summary>
    public static void EnsureProtected(Uri endpoint, StorageService service)
    {
        if (endpoint.Scheme == Uri.UriSchemeHttps || endpoint.IsLoopback) return;
        throw new InvalidOperationException($"The {service.Label()} endpoint {endpoint} must use https (plain http is only allowed to a local emulator on loopback).");
    }

    private static bool IsTransient(HttpStatusCode status) =>
        status is HttpStatusCode.TooManyRequests or HttpStatusCode.RequestTimeout || (int)status >= 500;
}
