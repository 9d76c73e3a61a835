using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using TokenBroker.Jobs.Mail;

namespace TokenBroker.Jobs.Fetch.Sinks;

/// <summary>
/// POSTs each raw message as message/rfc822, signed with X-TokenBroker-Signature: sha256=&lt;hex HMAC-SHA256 of the
/// body&gt;, with X-TokenBroker-Mailbox, X-TokenBroker-Uid and X-TokenBroker-Delivery-Id (stable across redeliveries:
/// receivers de-duplicate on it). 2xx = delivered; 4xx = the receiver refuses the message for good; 3xx are not
/// followed and count as a refusal; 5xx, network faults and timeouts are transient.
/// </summary>
public sealed class WebhookSink(HttpClient client, Uri url, byte[] secret, IReadOnlyList<KeyValuePair<string, string>> staticHeaders, TimeSpan timeout)
    : IMessageSink
{
    public const string SignatureHeader = "X-TokenBroker-Signature";
    public const string MailboxHeader = "X-TokenBroker-Mailbox";
    public const string UidHeader = "X-TokenBroker-Uid";
    public const string DeliveryIdHeader = "X-TokenBroker-Delivery-Id";
    private const int BodyExcerptLength = 300;

    public async Task DeliverAsync(SinkMessage message, CancellationToken cancellationToken = default)
    {
        // The signature must precede the body, so the (seekable) spool is read twice: once to sign, once to send.
        var start = message.Content.Position;
        var signature = Convert.ToHexStringLower(await HMACSHA256.HashDataAsync(secret, message.Content, cancellationToken).ConfigureAwait(false));
        message.Content.Position = start;

        using var request = new HttpRequestMessage(HttpMethod.Post, url);
        var content = new StreamContent(message.Content);
        content.Headers.ContentType = new MediaTypeHeaderValue("message/rfc822");
        content.Headers.ContentLength = message.Content.Length - start;
        request.Content = content;
        foreach (var (name, value) in staticHeaders) request.Headers.TryAddWithoutValidation(name, value);
        request.Headers.Add(SignatureHeader, "sha256=" + signature);
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
            throw new MessageSinkUnavailableException($"The webhook {Describe()} did not answer within {timeout.TotalSeconds:0} s.", timedOut);
        }
        catch (HttpRequestException network)
        {
            throw new MessageSinkUnavailableException($"The webhook {Describe()} could not be reached: {network.Message}", network);
        }

        using (response)
        {
            var status = (int)response.StatusCode;
            if (status is >= 200 and < 300) return;
            var excerpt = await ReadExcerptAsync(response, deadline.Token).ConfigureAwait(false);
            var what = string.Create(CultureInfo.InvariantCulture, $"The webhook {Describe()} answered {status} {response.ReasonPhrase} for message {message.ServerId} of {message.Mailbox}{(excerpt.Length > 0 ? ": " + excerpt : "")}");
            if (status >= 500 || response.StatusCode == HttpStatusCode.RequestTimeout || response.StatusCode == HttpStatusCode.TooManyRequests)
                throw new MessageSinkUnavailableException(what);
            throw new MailRequestRejectedException(what);
        }
    }

    private string Describe() => url.GetLeftPart(UriPartial.Path);

    private static async Task<string> ReadExcerptAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            await using var body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            var buffer = new byte[BodyExcerptLength * 4];
            var read = await body.ReadAtLeastAsync(buffer, buffer.Length, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
            var text = Encoding.UTF8.GetString(buffer, 0, read).ReplaceLineEndings(" ").Trim();
            return text.Length > BodyExcerptLength ? text[..BodyExcerptLength] + "…" : text;
        }
        catch (Exception exception) when (exception is HttpRequestException or IOException or OperationCanceledException)
        {
            return "";
        }
    }
}
