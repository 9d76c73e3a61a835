using System.Text;

namespace TokenBroker.Mail.Mime;

/// <summary>Writes a <see cref="MimeMessage"/>: top-level headers, then the part tree
/// (mixed ⊃ related ⊃ alternative ⊃ text/html, each only when needed).</summary>
internal sealed class MimeWriter(Stream destination, string boundarySeed)
{
    private int _boundaryCount;

    public async Task WriteMessageAsync(MimeMessage message, CancellationToken cancellationToken)
    {
        var header = new StringBuilder();
        AppendHeader(header, "Date", MailDate.Format(message.Date));
        AppendHeader(header, "From", message.From!.ToHeaderValue());
        AppendAddressList(header, "Reply-To", message.ReplyTo);
        AppendAddressList(header, "To", message.To);
        AppendAddressList(header, "Cc", message.Cc);
        if (message.Subject is not null)
            AppendHeader(header, "Subject", UnstructuredValue(message.Subject));
        AppendHeader(header, "Message-ID", $"<{message.MessageId}>");
        foreach (var (name, value) in message.Headers)
            AppendHeader(header, name, UnstructuredValue(value));
        AppendHeader(header, "MIME-Version", "1.0");
        await WriteAsync(header.ToString(), cancellationToken).ConfigureAwait(false);
        await WriteBodyAsync(message, cancellationToken).ConfigureAwait(false);
    }

    private async Task WriteBodyAsync(MimeMessage message, CancellationToken cancellationToken)
    {
        if (message.Attachments.Count == 0)
        {
            await WriteRelatedAsync(message, cancellationToken).ConfigureAwait(false);
            return;
        }
        var boundary = NextBoundary();
        await WriteAsync($"Content-Type: multipart/mixed; boundary=\"{boundary}\"\r\n\r\n", cancellationToken).ConfigureAwait(false);
        if (message.TextBody is not null || message.HtmlBody is not null)
        {
            await WriteAsync($"--{boundary}\r\n", cancellationToken).ConfigureAwait(false);
            await WriteRelatedAsync(message, cancellationToken).ConfigureAwait(false);
        }
        foreach (var attachment in message.Attachments)
        {
            await WriteAsync($"\r\n--{boundary}\r\n", cancellationToken).ConfigureAwait(false);
            await WriteAttachmentAsync(attachment, cancellationToken).ConfigureAwait(false);
        }
        await WriteAsync($"\r\n--{boundary}--\r\n", cancellationToken).ConfigureAwait(false);
    }

    private async Task WriteRelatedAsync(MimeMessage message, CancellationToken cancellationToken)
    {
        if (message.LinkedResources.Count == 0 || message.HtmlBody is null)
        {
            await WriteAlternativeAsync(message, cancellationToken).ConfigureAwait(false);
            return;
        }
        var boundary = NextBoundary();
        await WriteAsync($"Content-Type: multipart/related; type=\"{(message.TextBody is null ? "text/html" : "multipart/alternative")}\"; boundary=\"{boundary}\"\r\n\r\n--{boundary}\r\n", cancellationToken).ConfigureAwait(false);
        await WriteAlternativeAsync(message, cancellationToken).ConfigureAwait(false);
        foreach (var resource in message.LinkedResources)
        {
            await WriteAsync($"\r\n--{boundary}\r\n", cancellationToken).ConfigureAwait(false);
            await WriteAttachmentAsync(resource, cancellationToken).ConfigureAwait(false);
        }
        await WriteAsync($"\r\n--{boundary}--\r\n", cancellationToken).ConfigureAwait(false);
    }

    private async Task WriteAlternativeAsync(MimeMessage message, CancellationToken cancellationToken)
    {
        if (message.TextBody is null || message.HtmlBody is null)
        {
            await WriteTextPartAsync(message.HtmlBody is null ? "plain" : "html", message.HtmlBody ?? message.TextBody ?? "", cancellationToken).ConfigureAwait(false);
            return;
        }
        var boundary = NextBoundary();
        await WriteAsync($"Content-Type: multipart/alternative; boundary=\"{boundary}\"\r\n\r\n--{boundary}\r\n", cancellationToken).ConfigureAwait(false);
        await WriteTextPartAsync("plain", message.TextBody, cancellationToken).ConfigureAwait(false);
        await WriteAsync($"\r\n--{boundary}\r\n", cancellationToken).ConfigureAwait(false);
        await WriteTextPartAsync("html", message.HtmlBody, cancellationToken).ConfigureAwait(false);
        await WriteAsync($"\r\n--{boundary}--\r\n", cancellationToken).ConfigureAwait(false);
    }

    /// <summary>ASCII text with short lines goes as 7bit; anything else as base64 UTF-8, which survives every relay.</summary>
    private async Task WriteTextPartAsync(string subtype, string text, CancellationToken cancellationToken)
    {
        var normalized = text.ReplaceLineEndings("\r\n");
        var sevenBit = Ascii.IsValid(normalized) && !normalized.Contains('\0')
            && normalized.Split("\r\n").All(line => line.Length <= 998)
            && !normalized.Contains("--=_", StringComparison.Ordinal);
        var header = $"Content-Type: text/{subtype}; charset=utf-8\r\nContent-Transfer-Encoding: {(sevenBit ? "7bit" : "base64")}\r\n\r\n";
        await WriteAsync(header, cancellationToken).ConfigureAwait(false);
        if (sevenBit)
        {
            await WriteAsync(normalized.EndsWith("\r\n", StringComparison.Ordinal) ? normalized : normalized + "\r\n", cancellationToken).ConfigureAwait(false);
            return;
        }
        using var source = new MemoryStream(Encoding.UTF8.GetBytes(normalized), writable: false);
        await Base64LineWriter.WriteAsync(source, destination, cancellationToken).ConfigureAwait(false);
    }

    private async Task WriteAttachmentAsync(MimeAttachment attachment, CancellationToken cancellationToken)
    {
        var header = new StringBuilder();
        var typeParameter = EncodedWords.NeedsEncoding(attachment.FileName)
            ? $"; name=\"{EncodedWords.Encode(attachment.FileName)}\"" // older clients read only this
            : Rfc2231.FormatParameter("name", attachment.FileName);
        AppendHeader(header, "Content-Type", attachment.ContentType + typeParameter);
        AppendHeader(header, "Content-Disposition", (attachment.IsInline ? "inline" : "attachment") + Rfc2231.FormatParameter("filename", attachment.FileName));
        if (attachment.ContentId is not null)
            AppendHeader(header, "Content-ID", $"<{attachment.ContentId}>");
        AppendHeader(header, "Content-Transfer-Encoding", "base64");
        header.Append("\r\n");
        await WriteAsync(header.ToString(), cancellationToken).ConfigureAwait(false);
        await using var source = await attachment.OpenAsync(cancellationToken).ConfigureAwait(false);
        await Base64LineWriter.WriteAsync(source, destination, cancellationToken).ConfigureAwait(false);
    }

    private static string UnstructuredValue(string value) =>
        EncodedWords.NeedsEncoding(value) || value.Split(' ').Any(word => word.Length > 900) ? EncodedWords.Encode(value) : value;

    private static void AppendAddressList(StringBuilder header, string name, List<MailboxAddress> addresses)
    {
        if (addresses.Count > 0)
            AppendHeader(header, name, string.Join(", ", addresses.Select(a => a.ToHeaderValue())));
    }

    private static void AppendHeader(StringBuilder header, string name, string value) =>
        header.Append(HeaderFolding.Fold(name, value)).Append("\r\n");

    // "=_" cannot occur in base64, and 7bit text containing "--=_" is sent as base64, so a boundary
    // never collides with content.
    private string NextBoundary() => $"=_{boundarySeed}_{_boundaryCount++}";

    private Task WriteAsync(string text, CancellationToken cancellationToken) =>
        destination.WriteAsync(Encoding.UTF8.GetBytes(text), cancellationToken).AsTask();
}
