using System.Security.Cryptography;
using System.Text;
using MimeKit;
using MimeKitAddress = MimeKit.MailboxAddress;

namespace TokenBroker.Mail.Mime;

/// <summary>
/// Builds a MimeKit message from an <see cref="OutgoingMessage"/> so that the same input gives the same bytes: the
/// Message-ID and Date are the caller's, and multipart boundaries (random in MimeKit) are derived from the Message-ID.
/// CR or LF in anything that becomes a header is refused first (<see cref="MimeHeaderInjectionException"/>): MimeKit
/// would write it.
/// </summary>
public static class OutgoingMessageBuilder
{
    public static MimeKit.MimeMessage Build(OutgoingMessage content)
    {
        ArgumentNullException.ThrowIfNull(content);
        RefuseLineBreaks(content);
        var messageId = MessageIds.Normalize(content.MessageId);

        var message = new MimeKit.MimeMessage();
        message.From.Add(Address(content.From));
        message.To.AddRange(content.To.Select(Address));
        message.Cc.AddRange(content.Cc.Select(Address));
        message.Bcc.AddRange(content.Bcc.Select(Address));
        if (content.ReplyTo is { Length: > 0 } replyTo)
            message.ReplyTo.Add(Address(replyTo));
        message.Subject = content.Subject ?? "";
        message.Date = content.Date;
        message.MessageId = messageId;
        message.Body = Body(content);
        foreach (var (name, value) in content.Headers)
            message.Headers.Add(name, value);
        FixBoundaries(message.Body, messageId);
        return message;
    }

    private static MimeEntity Body(OutgoingMessage content)
    {
        var body = new BodyBuilder { TextBody = content.Text, HtmlBody = content.Html };
        foreach (var attachment in content.Attachments)
        {
            var type = ContentType.Parse(attachment.ContentType ?? MimeKit.MimeTypes.GetMimeType(attachment.Name));
            if (attachment.ContentId is { } contentId)
                body.LinkedResources.Add(attachment.Name, attachment.Content, type).ContentId = contentId;
            else
                body.Attachments.Add(attachment.Name, attachment.Content, type);
        }
        return body.ToMessageBody();
    }

    /// <summary>Replaces MimeKit's random boundaries with ones derived from the Message-ID and the part's position.</summary>
    private static void FixBoundaries(MimeEntity body, string messageId)
    {
        var seed = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(messageId)).AsSpan(0, 12));
        var index = 0;
        var pending = new Stack<MimeEntity>([body]);
        while (pending.TryPop(out var entity))
        {
            if (entity is not Multipart multipart) continue;
            multipart.Boundary = $"=-tb{index++}-{seed}";
            foreach (var part in multipart.Reverse()) pending.Push(part);
        }
    }

    private static MimeKitAddress Address(string text) =>
        MailboxAddress.TryParse(text, out var address, out var error)
            ? address.ToMimeKit()
            : throw new ArgumentException($"'{text}' is not a valid mail address: {error}.", nameof(text));

    private static void RefuseLineBreaks(OutgoingMessage content)
    {
        HeaderSafety.RejectLineBreaks(content.From, "From address");
        foreach (var address in content.To.Concat(content.Cc).Concat(content.Bcc))
            HeaderSafety.RejectLineBreaks(address, "recipient address");
        HeaderSafety.RejectLineBreaks(content.ReplyTo, "Reply-To address");
        HeaderSafety.RejectLineBreaks(content.Subject, "subject");
        HeaderSafety.RejectLineBreaks(content.MessageId, "Message-ID");
        foreach (var attachment in content.Attachments)
        {
            HeaderSafety.RejectLineBreaks(attachment.Name, "attachment file name");
            HeaderSafety.RejectLineBreaks(attachment.ContentType, "attachment content type");
            HeaderSafety.RejectLineBreaks(attachment.ContentId, "attachment content id");
        }
        foreach (var (name, value) in content.Headers)
        {
            HeaderSafety.RejectLineBreaks(name, "header name");
            HeaderSafety.RejectLineBreaks(value, $"{name} header");
        }
    }
}
