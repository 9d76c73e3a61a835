using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using TokenBroker.Jobs.Webhooks;

namespace TokenBroker.Jobs.Events;

/// <summary>
/// POSTs events to <see cref="EventsOptions.WebhookUrl"/>, signed the Standard Webhooks way
/// (<see cref="StandardWebhookSignature"/>: webhook-id is the event id, webhook-timestamp the time of the POST). A
/// failing webhook is logged and otherwise ignored: the queue output is the record, the webhook only a nudge.
/// </summary>
public sealed class WebhookEventPublisher(HttpClient http, IOptions<EventsOptions> options, ILogger<WebhookEventPublisher> logger, TimeProvider? timeProvider = null)
{
    private readonly TimeProvider _time = timeProvider ?? TimeProvider.System;

    public bool IsEnabled => !string.IsNullOrWhiteSpace(options.Value.WebhookUrl);

    public async Task PublishAsync(IEnumerable<BrokerEvent> events, CancellationToken cancellationToken = default)
    {
        if (!IsEnabled) return;
        var settings = options.Value;
        if (string.IsNullOrEmpty(settings.WebhookSecret))
        {
            logger.LogError("Events:WebhookUrl is set but Events:WebhookSecret is not; events are not sent unsigned.");
            return;
        }
        byte[] key;
        try
        {
            key = StandardWebhookSignature.KeyFromSecret(settings.WebhookSecret);
        }
        catch (FormatException)
        {
            logger.LogError("Events:WebhookSecret starts with '{Prefix}' but the rest is not base64; events are not sent unsigned.", StandardWebhookSignature.SecretPrefix);
            return;
        }
        foreach (var brokerEvent in events)
        {
            var body = brokerEvent.ToJson();
            var timestamp = StandardWebhookSignature.Timestamp(_time.GetUtcNow());
            try
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                timeout.CancelAfter(settings.WebhookTimeout);
                using var request = new HttpRequestMessage(HttpMethod.Post, settings.WebhookUrl)
                {
                    Content = new StringContent(body, Encoding.UTF8, "application/json"),
                };
                request.Headers.Add(StandardWebhookSignature.IdHeader, brokerEvent.Id);
                request.Headers.Add(StandardWebhookSignature.TimestampHeader, timestamp);
                request.Headers.Add(StandardWebhookSignature.SignatureHeader, StandardWebhookSignature.Sign(key, brokerEvent.Id, timestamp, Encoding.UTF8.GetBytes(body)));
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
