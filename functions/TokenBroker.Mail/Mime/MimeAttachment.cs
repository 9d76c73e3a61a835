namespace TokenBroker.Mail.Mime;

/// <summary>
/// A file attached to a message, or an inline resource (an image the HTML shows via "cid:"). The content is
/// opened when the message is written (possibly twice: once to measure for SMTP SIZE), so large files are
/// streamed, never loaded whole.
/// </summary>
public sealed class MimeAttachment
{
    private readonly Func<CancellationToken, ValueTask<Stream>> _open;

    private MimeAttachment(string fileName, string contentType, Func<CancellationToken, ValueTask<Stream>> open, string? contentId)
    {
        HeaderSafety.RejectLineBreaks(fileName, "attachment file name");
        HeaderSafety.RejectLineBreaks(contentType, "attachment content type");
        HeaderSafety.RejectLineBreaks(contentId, "Content-ID");
        ArgumentException.ThrowIfNullOrWhiteSpace(fileName);
        if (!IsValidContentType(contentType))
            throw new ArgumentException($"'{contentType}' is not a MIME type of the form type/subtype.", nameof(contentType));
        if (contentId is not null && (contentId.Length == 0 || contentId.Any(c => c is <= ' ' or '<' or '>' or > '~')))
            throw new ArgumentException($"'{contentId}' is not a valid Content-ID (printable ASCII, no spaces or angle brackets).", nameof(contentId));
        FileName = fileName;
        ContentType = contentType;
        _open = open;
        ContentId = contentId;
    }

    public string FileName { get; }

    public string ContentType { get; }

    /// <summary>Set for inline resources: the id the HTML refers to as "cid:…".</summary>
    public string? ContentId { get; }

    public bool IsInline => ContentId is not null;

    public static MimeAttachment FromFile(string path, string? contentType = null, string? fileName = null) =>
        new(fileName ?? Path.GetFileName(path), contentType ?? MimeTypes.FromFileName(path),
            _ => ValueTask.FromResult<Stream>(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 64 * 1024, useAsync: true)), null);

    public static MimeAttachment FromBytes(string fileName, byte[] content, string? contentType = null) =>
        new(fileName, contentType ?? MimeTypes.FromFileName(fileName), _ => ValueTask.FromResult<Stream>(new MemoryStream(content, writable: false)), null);

    /// <summary><paramref name="open"/> is called each time the message is written and must return a fresh stream.</summary>
    public static MimeAttachment FromStream(string fileName, Func<CancellationToken, ValueTask<Stream>> open, string? contentType = null) =>
        new(fileName, contentType ?? MimeTypes.FromFileName(fileName), open, null);

    /// <summary>An inline resource (multipart/related) shown by the HTML body through "cid:<paramref name="contentId"/>".</summary>
    public static MimeAttachment Inline(string contentId, string fileName, byte[] content, string? contentType = null) =>
        new(fileName, contentType ?? MimeTypes.FromFileName(fileName), _ => ValueTask.FromResult<Stream>(new MemoryStream(content, writable: false)), contentId);

    internal ValueTask<Stream> OpenAsync(CancellationToken cancellationToken) => _open(cancellationToken);

    private static bool IsValidContentType(string contentType)
    {
        var slash = contentType.IndexOf('/');
        return slash > 0 && slash < contentType.Length - 1 && contentType.All(c => c is > ' ' and <= '~' and not (';' or '"'));
    }
}
