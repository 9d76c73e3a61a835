using System.Net;
using System.Text;
using Azure;
using TokenBroker.Queues;
using TokenBroker.StorageAccount;

namespace TokenBroker.Tests.Queues;

/// <summary>
/// The SDK's retries as the transport sets them up: transient failures are retried, others are not, an attempt that hangs
/// is cut off by the request timeout, and a retried delete or release whose first attempt went through has succeeded.
/// </summary>
public sealed class AzureQueueRetryTests
{
    private static readonly AzureQueueTransportOptions Options = new()
    {
        MaxRetries = 3, RetryDelay = TimeSpan.Zero, MaxRetryDelay = TimeSpan.Zero, RequestTimeout = TimeSpan.FromSeconds(30),
    };

    private static readonly ReceivedQueueMessage Message = new("id-1", "receipt", "text", 1, DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static AzureStorageQueueTransport Transport(HttpMessageHandler handler, AzureQueueTransportOptions? options = null) =>
        new(StorageConnection.FromConnectionString("UseDevelopmentStorage=true"), options ?? Options, new HttpClient(handler));

    [Theory]
    [InlineData(HttpStatusCode.ServiceUnavailable)]
    [InlineData(HttpStatusCode.InternalServerError)]
    [InlineData(HttpStatusCode.TooManyRequests)]
    public async Task A_transient_status_is_retried_until_it_succeeds(HttpStatusCode transient)
    {
        var handler = new ScriptedHandler(transient, transient, HttpStatusCode.Created);

        await Transport(handler).CreateIfNotExistsAsync("retried", Ct);

        Assert.Equal(3, handler.Attempts);
    }

    [Fact]
    public async Task A_network_error_is_retried()
    {
        var handler = new ScriptedHandler(null, HttpStatusCode.Created);

        await Transport(handler).CreateIfNotExistsAsync("retried", Ct);

        Assert.Equal(2, handler.Attempts);
    }

    [Fact]
    public async Task Every_attempt_is_signed_afresh()
    {
        var handler = new ScriptedHandler(HttpStatusCode.ServiceUnavailable, HttpStatusCode.Created);

        await Transport(handler).CreateIfNotExistsAsync("retried", Ct);

        Assert.Equal(2, handler.Authorizations.Count);
        Assert.All(handler.Authorizations, a => Assert.StartsWith("SharedKey devstoreaccount1:", a));
    }

    [Fact]
    public async Task A_retried_delete_that_finds_the_message_gone_has_succeeded()
    {
        var handler = new ScriptedHandler(HttpStatusCode.ServiceUnavailable, HttpStatusCode.NotFound) { NotFoundCode = "MessageNotFound" };

        await Transport(handler).DeleteAsync("deleted", Message, Ct);

        Assert.Equal(2, handler.Attempts);
    }

    [Fact]
    public async Task A_retried_release_that_finds_its_receipt_replaced_has_succeeded()
    {
        var handler = new ScriptedHandler(HttpStatusCode.ServiceUnavailable, HttpStatusCode.BadRequest) { BadRequestCode = "PopReceiptMismatch" };

        await Transport(handler).ReleaseAsync("released", Message, TimeSpan.Zero, Ct);

        Assert.Equal(2, handler.Attempts);
    }

    [Fact]
    public async Task A_first_release_with_a_replaced_receipt_has_lost_its_lease()
    {
        var handler = new ScriptedHandler(HttpStatusCode.BadRequest) { BadRequestCode = "PopReceiptMismatch" };

        await Assert.ThrowsAsync<QueueLeaseLostException>(() => Transport(handler).ReleaseAsync("released", Message, TimeSpan.Zero, Ct));
    }

    [Fact]
    public async Task A_first_delete_that_finds_the_message_gone_has_lost_its_lease()
    {
        var handler = new ScriptedHandler(HttpStatusCode.NotFound) { NotFoundCode = "MessageNotFound" };

        await Assert.ThrowsAsync<QueueLeaseLostException>(() => Transport(handler).DeleteAsync("deleted", Message, Ct));
    }

    [Fact]
    public async Task A_retried_renewal_that_finds_its_receipt_replaced_has_lost_its_lease()
    {
        var handler = new ScriptedHandler(HttpStatusCode.ServiceUnavailable, HttpStatusCode.BadRequest) { BadRequestCode = "PopReceiptMismatch" };

        await Assert.ThrowsAsync<QueueLeaseLostException>(() => Transport(handler).RenewLeaseAsync("renewed", Message, TimeSpan.FromSeconds(30), Ct));
    }

    [Fact]
    public async Task A_client_error_is_not_retried_and_carries_the_service_code()
    {
        var handler = new ScriptedHandler(HttpStatusCode.BadRequest);

        var error = await Assert.ThrowsAsync<RequestFailedException>(() => Transport(handler).SendAsync("noretry", "x", cancellationToken: Ct));

        Assert.Equal(1, handler.Attempts);
        Assert.Equal("InvalidInput", error.ErrorCode);
        Assert.Contains("One of the request inputs is not valid.", error.Message);
    }

    [Fact]
    public async Task Persistent_server_errors_give_up_after_the_retries_with_the_last_status()
    {
        var handler = new ScriptedHandler(Enumerable.Repeat<HttpStatusCode?>(HttpStatusCode.ServiceUnavailable, 10).ToArray());

        var error = await Assert.ThrowsAsync<RequestFailedException>(() => Transport(handler).GetApproximateCountAsync("down", Ct));

        Assert.Equal(503, error.Status);
        Assert.Equal(Options.MaxRetries + 1, handler.Attempts);
    }

    [Fact]
    public async Task An_attempt_that_never_answers_times_out_and_is_retried_then_fails_clearly()
    {
        var handler = new HangingHandler();
        var transport = Transport(handler, new AzureQueueTransportOptions
        {
            MaxRetries = 2, RetryDelay = TimeSpan.Zero, MaxRetryDelay = TimeSpan.Zero, RequestTimeout = TimeSpan.FromMilliseconds(300),
        });

        var error = await Assert.ThrowsAsync<AggregateException>(() => transport.SendAsync("hanging", "x", cancellationToken: Ct));

        Assert.Equal(3, handler.Attempts);
        Assert.All(error.InnerExceptions, inner => Assert.IsAssignableFrom<OperationCanceledException>(inner));
        Assert.Contains("timeout", error.InnerExceptions[0].Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task The_callers_cancellation_stops_a_hanging_call_without_retrying()
    {
        var handler = new HangingHandler();
        using var cancellation = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var call = Transport(handler).SendAsync("hanging", "x", cancellationToken: cancellation.Token);
        Assert.True(await handler.Entered.WaitAsync(TimeSpan.FromSeconds(10), Ct));

        await cancellation.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);
        Assert.Equal(1, handler.Attempts);
    }

    /// <summary>Answers each attempt with the next status; null stands for a dropped connection.</summary>
    private sealed class ScriptedHandler(params HttpStatusCode?[] script) : HttpMessageHandler
    {
        private int _attempts;

        public int Attempts => Volatile.Read(ref _attempts);
        public List<string> Authorizations { get; } = [];
        public string NotFoundCode { get; init; } = "QueueNotFound";
        public string BadRequestCode { get; init; } = "InvalidInput";

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Authorizations.Add(request.Headers.Authorization?.ToString() ?? "");
            var status = script[Math.Min(Interlocked.Increment(ref _attempts) - 1, script.Length - 1)];
            if (status is null) throw new HttpRequestException("Connection reset by peer");
            var response = new HttpResponseMessage(status.Value);
            if ((int)status >= 400)
            {
                var code = status switch { HttpStatusCode.BadRequest => BadRequestCode, HttpStatusCode.NotFound => NotFoundCode, _ => "ServerBusy" };
                var message = status == HttpStatusCode.BadRequest ? "One of the request inputs is not valid." : "The server is busy.";
                response.Headers.Add("x-ms-error-code", code);
                response.Content = new StringContent($"<?xml version=\"1.0\" encoding=\"utf-8\"?><Error><Code>{code}</Code><Message>{message}\nRequestId:1</Message></Error>",
                    Encoding.UTF8, "application/xml");
            }
            else
            {
                response.Headers.Add("x-ms-approximate-messages-count", "0");
            }
            return Task.FromResult(response);
        }
    }

    private sealed class HangingHandler : HttpMessageHandler
    {
        private int _attempts;

        public SemaphoreSlim Entered { get; } = new(0);
        public int Attempts => Volatile.Read(ref _attempts);

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _attempts);
            Entered.Release();
            await Task.Delay(Timeout.Infinite, cancellationToken);
            throw new InvalidOperationException("unreachable");
        }
    }
}
