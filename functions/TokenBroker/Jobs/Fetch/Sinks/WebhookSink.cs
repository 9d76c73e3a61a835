using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using Microsoft.AspNetCore.WebUtilities;
using TokenBroker.Jobs.Mail;
using TokenBroker.Jobs.Webhooks;

namespace TokenBroker.Jobs.Fetch.Sinks;

/// <summary>
/// POSTs each raw message as message/rfc822 to a configured webhook sink, signed the Standard Webhooks way
/// (<see cref="StandardWebhookSignature"/>; webhook-id is the delivery id, stable across redeliveries, so receivers
/// de-duplicate on it), with X-TokenBroker-Mailbox, X-TokenBroker-Uid and X-TokenBroker-Delivery-Id. 2xx = delivered;
/// 4xx = the receiver refuses the message for good; 3xx are not followed and count as a refusal; 5xx, 408, 429,
/// network faults and timeouts are transient. Failures are reported by sink name and status line only: the
/// receiver's answer body is never read into events or logs.
/// </summary>
public sealed class WebhookSink(HttpClient client, WebhookSinkSettings settings, TimeSpan timeout, TimeProvider timeProvider) : IMessageSink
{
    public const string MailboxHeader = "X-TokenBroker-Mailbox";
    public const string UidHeader = "X-TokenBroker-Uid";
    public const string DeliveryIdHeader = "X-TokenBroker-Delivery-Id";

    public async Task DeliverAsync(SinkMessage message, CancellationToken cancellationToken = default)
    {
        // The signature must precede the body, so the (seekable) spool is read twice: once to sign, once to send.
        var start = message.Content.Position;
        var timestamp = StandardWebhookSignature.Timestamp(timeProvider.GetUtcNow());
        var signature = await StandardWebhookSignature.SignAsync(settings.Key, message.DeliveryId, timestamp, message.Content, cancellationToken).ConfigureAwait(false);
        message.Content.Position = start;

        using var request = new HttpRequestMessage(HttpMethod.Post, settings.Url);
        var content = new StreamContent(message.Content);
        content.Headers.ContentType = new MediaTypeHeaderValue("message/rfc822");
        content.Headers.ContentLength = message.Content.Length - start;
        request.Content = content;
        foreach (var (name, value) in settings.Headers) request.Headers.TryAddWithoutValidation(name, value);
        request.Headers.Add(StandardWebhookSignature.IdHeader, message.DeliveryId);
        request.Headers.Add(StandardWebhookSignature.TimestampHeader, timestamp);
        request.Headers.Add(StandardWebhookSignature.SignatureHeader, signature);
        request.Headers.Add(MailboxHeader, message.Mailbox);
        request.Headers.Add(UidHeader, message.ServerId);
        request.Headers.Add(DeliveryIdHeader, message.DeliveryId);

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        HttpResponseMessage response;
        try
        {
            response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, deadline.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException timedOut) when (!cancellationToken.IsCancellationRequested)
        {
            throw new MessageSinkUnavailableException($"The webhook sink \"{settings.Name}\" did not answer within {timeout.TotalSeconds:0} s.", timedOut);
        }
        catch (HttpRequestException network)
        {
            throw new MessageSinkUnavailableException($"The webhook sink \"{settings.Name}\" could not be reached: {network.Message}", network);
        }

        using (response)
        {
            var status = (int)response.StatusCode;
            if (status is >= 200 and < 300) return;
            var what = string.Create(CultureInfo.InvariantCulture,
                $"The webhook sink \"{settings.Name}\" answered {status} {ReasonPhrases.GetReasonPhrase(status)} for message {message.ServerId} of {message.Mailbox}.");
            if (status >= 500 || response.StatusCode == HttpStatusCode.RequestTimeout || response.StatusCode == HttpStatusCode.TooManyRequests)
                throw new MessageSinkUnavailableException(what);
            throw new MailRequestRejectedException(what);
        }
    }
}
