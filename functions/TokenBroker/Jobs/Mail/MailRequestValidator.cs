using System.Buffers.Text;
using System.Text;
using TokenBroker.Jobs.Fetch.Sinks;
using TokenBroker.Mail.Mime;

namespace TokenBroker.Jobs.Mail;

/// <summary>Checks parsed requests and says every problem as a sentence a caller can act on. Without a
/// <see cref="SinkCatalog"/> (a build without fetch) sink names are not checked here.</summary>
public sealed class MailRequestValidator(MailRequestLimits limits, SinkCatalog? sinks = null)
{
    public const int MaxIdLength = 128;

    // Written by the message builder from the request's fields, or added by servers on the way: a request may not set them.
    private static readonly HashSet<string> ReservedHeaders = new(StringComparer.OrdinalIgnoreCase)
    {
        "Date", "From", "Sender", "Reply-To", "To", "Cc", "Bcc", "Subject", "Message-ID", "MIME-Version",
        "Content-Type", "Content-Transfer-Encoding", "Content-Disposition", "Content-ID", "Content-Length",
        "Received", "Return-Path", "DKIM-Signature", "Authentication-Results", "Delivered-To",
    };

    private static readonly string[] ReservedHeaderPrefixes = ["Resent-", "ARC-", "X-MS-Exchange-"];

    public IReadOnlyList<string> Validate(SendRequest request)
    {
        var problems = new List<string>();
        ValidateId(request.Id, problems);
        ValidateAddress("from", request.From, required: true, problems);
        foreach (var (field, list) in new[] { ("to", request.To), ("cc", request.Cc), ("bcc", request.Bcc) })
        {
            foreach (var address in list ?? [])
                ValidateAddress(field, address, required: true, problems);
        }
        var recipients = (request.To?.Count ?? 0) + (request.Cc?.Count ?? 0) + (request.Bcc?.Count ?? 0);
        if (recipients == 0)
            problems.Add("The request has no recipient: give at least one address in \"to\", \"cc\" or \"bcc\".");
        else if (recipients > limits.MaxRecipients)
            problems.Add($"The request has {recipients} recipients in \"to\", \"cc\" and \"bcc\"; a message may have at most {limits.MaxRecipients} (Exchange Online's limit): split it into several requests.");
        ValidateAddress("replyTo", request.ReplyTo, required: false, problems);
        if (HasLineBreak(request.Subject))
            problems.Add("The subject contains a line break (CR or LF); refused because it could inject headers.");
        if (request.Text is null && request.Html is null)
            problems.Add("The request has neither \"text\" nor \"html\"; give at least one body.");

        long size = Encoding.UTF8.GetByteCount(request.Text ?? "") + Encoding.UTF8.GetByteCount(request.Html ?? "");
        var attachments = request.Attachments ?? [];
        if (attachments.Count > limits.MaxAttachments)
            problems.Add($"The request has {attachments.Count} attachments; a message may have at most {limits.MaxAttachments}.");
        for (var i = 0; i < attachments.Count; i++)
            size += ValidateAttachment(attachments[i], i, request.Html is not null, problems);
        var headers = request.Headers ?? new Dictionary<string, string>();
        if (headers.Count > limits.MaxHeaders)
            problems.Add($"The request has {headers.Count} extra headers; at most {limits.MaxHeaders} are accepted.");
        foreach (var (name, value) in headers)
            ValidateHeader(name, value, problems);
        if (size > limits.MaxMessageBytes)
            problems.Add($"The message is {size} bytes (bodies and decoded attachments), over the limit of {limits.MaxMessageBytes} bytes (setting Mail:MaxMessageBytes).");
        return problems;
    }

    public IReadOnlyList<string> Validate(FetchRequest request)
    {
        var problems = new List<string>();
        ValidateId(request.Id, problems);
        ValidateAddress("mailbox", request.Mailbox, required: true, problems);
        var protocol = request.Protocol?.ToLowerInvariant();
        if (string.IsNullOrEmpty(protocol))
            problems.Add("The request has no \"protocol\"; use \"imap\" or \"pop3\".");
        else if (protocol is not ("imap" or "pop3"))
            problems.Add($"Unknown protocol \"{request.Protocol}\"; use \"imap\" or \"pop3\".");
        var folder = string.IsNullOrEmpty(request.Folder) ? "INBOX" : request.Folder;
        if (HasLineBreak(folder) || folder.Any(char.IsControl))
            problems.Add("The folder name contains control characters (CR, LF, …).");
        else if (protocol == "pop3" && !folder.Equals("INBOX", StringComparison.OrdinalIgnoreCase))
            problems.Add($"POP3 only reaches INBOX; \"{folder}\" needs \"protocol\": \"imap\".");
        if (request.MaxMessages is < 1 or > 1000)
            problems.Add($"\"maxMessages\" is {request.MaxMessages}; use 1 to 1000.");
        var after = string.IsNullOrEmpty(request.AfterFetch) ? "none" : request.AfterFetch.ToLowerInvariant();
        if (after is not ("none" or "seen" or "move" or "delete"))
            problems.Add($"Unknown afterFetch \"{request.AfterFetch}\"; use \"none\", \"seen\", \"move\" or \"delete\".");
        else if (protocol == "pop3" && after is "seen" or "move")
            problems.Add($"afterFetch \"{after}\" needs IMAP; POP3 can only leave messages (\"none\") or delete them (\"delete\").");
        if (after == "move" && string.IsNullOrWhiteSpace(request.MoveTo))
            problems.Add("afterFetch \"move\" needs \"moveTo\", the folder to move fetched messages to.");
        if (request.MoveTo is not null && (HasLineBreak(request.MoveTo) || request.MoveTo.Any(char.IsControl)))
            problems.Add("\"moveTo\" contains control characters (CR, LF, …).");
        ValidateSink(request.Sink, problems);
        return problems;
    }

    /// <summary>The request with defaults filled in and keywords in lower case.</summary>
    public static FetchRequest Normalize(FetchRequest request) => request with
    {
        Protocol = request.Protocol.ToLowerInvariant(),
        Folder = string.IsNullOrEmpty(request.Folder) ? "INBOX" : request.Folder,
        AfterFetch = string.IsNullOrEmpty(request.AfterFetch) ? "none" : request.AfterFetch.ToLowerInvariant(),
    };

    public static bool IsValidId(string? id) =>
        id is { Length: > 0 and <= MaxIdLength } && id.All(c => c is (>= 'A' and <= 'Z') or (>= 'a' and <= 'z') or (>= '0' and <= '9') or '.' or '_' or ':' or '@' or '-');

    private static void ValidateId(string? id, List<string> problems)
    {
        if (string.IsNullOrEmpty(id))
            problems.Add("The request has no \"id\" (its idempotency key).");
        else if (!IsValidId(id))
            problems.Add($"The id must be 1-{MaxIdLength} characters of letters, digits and . _ : @ -; \"{Shorten(id)}\" is not.");
    }

    private static void ValidateAddress(string field, string? value, bool required, List<string> problems)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            if (required)
                problems.Add($"\"{field}\" needs a mail address; it is empty or missing.");
            return;
        }
        if (HasLineBreak(value))
            problems.Add($"The \"{field}\" address \"{Shorten(value.ReplaceLineEndings(" "))}\" contains a line break (CR or LF); refused because it could inject headers.");
        else
        {
            try
            {
                if (!MailboxAddress.TryParse(value, out _, out var error))
                    problems.Add($"The \"{field}\" address \"{Shorten(value)}\" is not valid: {error}.");
            }
            catch (Exception exception) when (exception is FormatException or ArgumentException or MimeKit.ParseException)
            {
                // An encoded-word display name can decode to something the parser refuses by throwing (a hidden CR/LF).
                problems.Add($"The \"{field}\" address \"{Shorten(value)}\" is not valid: {exception.Message.TrimEnd('.')}.");
            }
        }
    }

    private static long ValidateAttachment(SendAttachment attachment, int index, bool hasHtml, List<string> problems)
    {
        var label = string.IsNullOrEmpty(attachment.Name) ? $"Attachment {index + 1}" : $"Attachment {index + 1} (\"{Shorten(attachment.Name.ReplaceLineEndings(" "))}\")";
        if (string.IsNullOrWhiteSpace(attachment.Name))
            problems.Add($"{label} has no \"name\".");
        else if (HasLineBreak(attachment.Name))
            problems.Add($"{label}: the name contains a line break (CR or LF).");
        if (attachment.ContentType is { } type && (HasLineBreak(type) || !IsContentType(type)))
            problems.Add($"{label}: \"{Shorten(type.ReplaceLineEndings(" "))}\" is not a MIME type of the form type/subtype.");
        if (attachment.ContentId is { } contentId)
        {
            if (contentId.Length == 0 || contentId.Any(c => c is <= ' ' or '<' or '>' or > '~'))
                problems.Add($"{label}: contentId \"{Shorten(contentId.ReplaceLineEndings(" "))}\" must be printable ASCII without spaces or angle brackets.");
            else if (!hasHtml)
                problems.Add($"{label} is an inline image (contentId) but the request has no \"html\" to show it.");
        }
        var base64 = attachment.ContentBase64 ?? "";
        if (!Base64.IsValid(base64, out var decodedLength))
        {
            problems.Add($"{label}: contentBase64 is not valid base64.");
            return 0;
        }
        return decodedLength;
    }

    private static void ValidateHeader(string name, string? value, List<string> problems)
    {
        if (HasLineBreak(name) || name.Length == 0 || name.Any(c => c is <= ' ' or > '~' or ':'))
        {
            problems.Add($"\"{Shorten(name.ReplaceLineEndings(" "))}\" is not a valid header name (printable ASCII without spaces or ':').");
            return;
        }
        if (ReservedHeaders.Contains(name) || ReservedHeaderPrefixes.Any(p => name.StartsWith(p, StringComparison.OrdinalIgnoreCase)))
            problems.Add($"The header \"{name}\" may not be set in \"headers\"; it is written from the request's fields or by mail servers.");
        if (value is null)
            problems.Add($"The header \"{name}\" has no value.");
        else if (HasLineBreak(value))
            problems.Add($"The value of header \"{name}\" contains a line break (CR or LF); refused because it could inject headers.");
    }

    private void ValidateSink(FetchSink? sink, List<string> problems)
    {
        if (sink is null || string.IsNullOrWhiteSpace(sink.Name))
        {
            problems.Add("The request has no \"sink\" with a \"name\"; name one of the sinks the operator configured ({\"name\": \"helpdesk\"}).");
            return;
        }
        if (sinks is not null && !sinks.Contains(sink.Name))
            problems.Add($"No sink named \"{Shorten(sink.Name)}\" is configured; the operator names sinks under Sinks:Webhooks:<name> or Sinks:Maildirs:<name>.");
        else if (sink.Folder is not null && sinks is not null && sinks.TryGetWebhook(sink.Name, out _))
            problems.Add($"The sink \"{sink.Name}\" is a webhook; \"folder\" applies only to maildir sinks.");
        if (sink.Folder is not null && MaildirFolder.Problem(sink.Folder) is { } folderProblem)
            problems.Add(folderProblem);
    }

    private static bool IsContentType(string type)
    {
        var slash = type.IndexOf('/');
        return slash > 0 && slash < type.Length - 1 && type.All(c => c is > ' ' and <= '~' and not (';' or '"'));
    }

    private static bool HasLineBreak(string? value) => value is not null && value.AsSpan().IndexOfAny('\r', '\n') >= 0;

    private static string Shorten(string value) => value.Length <= 80 ? value : value[..80] + "…";
}
