namespace TokenBroker.Mail.Mime;

/// <summary>
/// Refuses CR and LF in anything that becomes part of a header. A line break in a subject, a display
/// name, an address or a file name would let whoever controls that text add headers of their own
/// (Bcc:, a second Content-Type, …): header injection.
/// </summary>
public static class HeaderSafety
{
    public static void RejectLineBreaks(string? value, string what)
    {
        if (value is not null && value.AsSpan().IndexOfAny('\r', '\n') >= 0)
            throw new MimeHeaderInjectionException(what);
    }
}

/// <summary>A header value, address, display name or file name contained CR or LF.</summary>
public sealed class MimeHeaderInjectionException(string what)
    : ArgumentException($"The {what} contains a line break (CR or LF); refusing it because it could inject extra headers.")
{
    public string What { get; } = what;
}
