using TokenBroker.Mail.Mime;

namespace TokenBroker.Jobs.Mail;

/// <summary>Turns a validated <see cref="SendRequest"/> into the library's <see cref="MimeMessage"/>.</summary>
public static class SendMessageBuilder
{
    public static MimeMessage Build(SendRequest request, string messageId, DateTimeOffset date)
    {
        var message = new MimeMessage
        {
            From = MailboxAddress.Parse(request.From),
            Subject = request.Subject,
            TextBody = request.Text,
            HtmlBody = request.Html,
            MessageId = messageId,
            Date = date,
        };
        message.To.AddRange(request.To.Select(MailboxAddress.Parse));
        message.Cc.AddRange(request.Cc.Select(MailboxAddress.Parse));
        message.Bcc.AddRange(request.Bcc.Select(MailboxAddress.Parse));
        if (request.ReplyTo is { Length: > 0 } replyTo)
            message.ReplyTo.Add(MailboxAddress.Parse(replyTo));
        foreach (var attachment in request.Attachments)
        {
            var content = Convert.FromBase64String(attachment.ContentBase64);
            if (attachment.ContentId is { } contentId)
                message.LinkedResources.Add(MimeAttachment.Inline(contentId, attachment.Name, content, attachment.ContentType));
            else
                message.Attachments.Add(MimeAttachment.FromBytes(attachment.Name, content, attachment.ContentType));
        }
        foreach (var (name, value) in request.Headers)
            message.AddHeader(name, value);
        return message;
    }
}
