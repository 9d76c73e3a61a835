using TokenBroker.Mail.Mime;

namespace TokenBroker.Jobs.Mail;

/// <summary>
/// Turns a validated <see cref="SendRequest"/> into a MimeKit message with the given Message-ID and Date, so that the
/// same request built again (a retry) gives the same bytes.
/// </summary>
public static class SendMessageBuilder
{
    public static MimeKit.MimeMessage Build(SendRequest request, string messageId, DateTimeOffset date) =>
        OutgoingMessageBuilder.Build(new OutgoingMessage
        {
            From = request.From,
            To = request.To,
            Cc = request.Cc,
            Bcc = request.Bcc,
            ReplyTo = request.ReplyTo,
            Subject = request.Subject,
            Text = request.Text,
            Html = request.Html,
            Attachments = request.Attachments
                .Select(a => new OutgoingAttachment(a.Name, Convert.FromBase64String(a.ContentBase64), a.ContentType, a.ContentId))
                .ToList(),
            Headers = [.. request.Headers],
            MessageId = messageId,
            Date = date,
        });
}
