using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace TokenBroker.Jobs.Events;

/// <summary>
/// POSTs events to <see cref="EventsOptions.WebhookUrl"/>, signed with HMAC-SHA256 of the exact body. A failing
/// webhook is logged and otherwise ignored: the queue output is the record, the webhook only a nudge.
/// </summary>
public sealed class WebhookEventPublisher(HttpClient http, IOptions<EventsOptions> options, ILogger<WebhookEventPublisher> logger)
{
    public const string SignatureHeader = "X-TokenBroker-Signature";

    public bool IsEnabled => !string.IsNullOrWhiteSpace(options.Value.WebhookUrl);

    public static string Sign(string body, string secret) =>
        "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(body)));

    public async Task PublishAsync(IEnumerable<BrokerEvent> events, CancellationToken cancellationToken = default)
    {
        if (!IsEnabled) return;
        var settings = options.Value;
        if (string.IsNullOrEmpty(settings.WebhookSecret))
        {
            logger.LogError("Events:WebhookUrl is set but Events:WebhookSecret is not; events are not sent unsigned.");
            return;
        }
        foreach (var brokerEvent in events)
        {
            var body = brokerEvent.ToJson();
            try
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                timeout.CancelAfter(settings.WebhookTimeout);
                using var request = new HttpRequestMessage(HttpMethod.Post, settings.WebhookUrl)
                {
                    Content = new StringContent(body, Encoding.UTF8, "application/json"),
                };
                request.Headers.Add(SignatureHeader, Sign(body, settings.WebhookSecret));
                using var response = await http.SendAsync(request, timeout.Token).ConfigureAwait(false);
                if (!response.IsSuccessStatusCode)
                    logger.LogWarning("The event webhook answered {Status} to event {EventId} ({Type} for {Mailbox}).",
                        (int)response.StatusCode, brokerEvent.Id, brokerEvent.Type, brokerEvent.Mailbox);
            }
            catch (Exception exception) when (exception is HttpRequestException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
            {
                logger.LogWarning("The event webhook did not take event {EventId} ({Type} for {Mailbox}): {Reason}",
                    brokerEvent.Id, brokerEvent.Type, brokerEvent.Mailbox,
                    exception is OperationCanceledException ? $"no answer within {settings.WebhookTimeout}" : exception.Message);
            }
        }
    }
}
