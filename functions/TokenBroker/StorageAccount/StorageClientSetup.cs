using Azure.Core;
using Azure.Core.Pipeline;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace TokenBroker.StorageAccount;

/// <summary>What every storage SDK client of the broker gets: the retry settings, the attempt policy, and an optional HTTP client.</summary>
internal static class StorageClientSetup
{
    /// <param name="httpClient">Null: the SDK's shared transport. A caller's client (tests: a test CA, a fault injector) is used as is.</param>
    /// <param name="logger">Failed attempts are logged as warnings (method, path, status or error; never headers or the query).</param>
    public static T Configure<T>(T options, StorageRequestOptions requests, StorageService service, HttpClient? httpClient, ILogger? logger)
        where T : ClientOptions
    {
        requests.ApplyTo(options.Retry);
        if (httpClient is not null) options.Transport = new HttpClientTransport(httpClient);
        options.AddPolicy(new StorageAttemptPolicy(service, logger ?? NullLogger.Instance), HttpPipelinePosition.PerRetry);
        return options;
    }
}
