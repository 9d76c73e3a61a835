namespace TokenBroker.Tests.Hosting.WorkerProtocol;

/// <summary>
/// The host's side of HTTP proxying (a worker that advertises the HttpUri capability): the client's
/// request is forwarded to HttpUri + the original path, with the invocation id in x-ms-invocation-id so
/// the worker can pair it with the InvocationRequest, and the usual X-Forwarded-* headers of a proxy.
/// </summary>
internal sealed class HttpProxy : IDisposable
{
    public const string InvocationIdHeader = "x-ms-invocation-id";

    /// <summary>What a local Functions host listens on; the worker sees it as X-Forwarded-Host.</summary>
    public const string PublicHost = "localhost:7071";

    private readonly HttpClient _client = new(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false })
    {
        Timeout = WorkerSession.Timeout,
    };

    public IReadOnlyDictionary<string, string> ForwardedHeaders(string invocationId) => new Dictionary<string, string>
    {
        [InvocationIdHeader] = invocationId,
        ["X-Forwarded-For"] = "127.0.0.1",
        ["X-Forwarded-Host"] = PublicHost,
        ["X-Forwarded-Proto"] = "http",
    };

    /// <summary>
    /// The worker advertises HttpUri in its init answer, before its Kestrel necessarily listens (on a loaded machine
    /// it can take seconds): a refused connection is tried again, as the host's forwarder does, until the session's timeout.
    /// </summary>
    public async Task<ProxiedAnswer> ForwardAsync(Uri httpUri, string method, string path, string invocationId)
    {
        using var deadline = new CancellationTokenSource(WorkerSession.Timeout);
        while (true)
        {
            using var request = new HttpRequestMessage(new HttpMethod(method.ToUpperInvariant()), new Uri(httpUri, path));
            foreach (var (name, value) in ForwardedHeaders(invocationId))
                request.Headers.TryAddWithoutValidation(name, value);
            try
            {
                return await SendAsync(request, deadline.Token);
            }
            catch (HttpRequestException refused) when (refused.HttpRequestError == HttpRequestError.ConnectionError && !deadline.IsCancellationRequested)
            {
                await Task.Delay(100, deadline.Token);
            }
        }
    }

    private async Task<ProxiedAnswer> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        using var response = await _client.SendAsync(request, cancellationToken);
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        return new ProxiedAnswer((int)response.StatusCode, response.Content.Headers.ContentType?.MediaType, body);
    }

    public void Dispose() => _client.Dispose();
}

internal sealed record ProxiedAnswer(int Status, string? MediaType, string Body)
{
    public override string ToString() => $"HTTP {Status} {MediaType ?? "(no content type)"}: {Body}";
}
