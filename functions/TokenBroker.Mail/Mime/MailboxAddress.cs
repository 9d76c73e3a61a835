using System.Diagnostics.CodeAnalysis;
using System.Text;
using MimeKit;
using MimeKit.Utils;

namespace TokenBroker.Mail.Mime;

/// <summary>
/// One mailbox as the broker accepts it: "user@example.com", "Name &lt;user@example.com&gt;" or "\"Last, First\" &lt;…&gt;",
/// parsed by MimeKit in strict mode (RFC 5322, UTF-8 per RFC 6532, RFC 2047 names decoded). On top of MimeKit the
/// broker refuses what it never wants to send to: group syntax, source routes (&lt;@host:…&gt;), an address over
/// <see cref="MaxAddressLength"/> characters, a domain label starting or ending with '-', and a display name that
/// hides a control character (CR, LF, NUL, … also inside an encoded word) — that would be header injection.
/// </summary>
public sealed record MailboxAddress
{
    /// <summary>RFC 5321 §4.5.3.1.3: a path is at most 256 octets including the angle brackets.</summary>
    public const int MaxAddressLength = 254;

    private static readonly ParserOptions Strict = CreateStrictOptions();

    public MailboxAddress(string address, string? displayName = null)
    {
        HeaderSafety.RejectLineBreaks(address, "address");
        HeaderSafety.RejectLineBreaks(displayName, "display name");
        if (HasControlCharacter(displayName))
            throw new MimeHeaderInjectionException("display name");
        if (!IsValidAddress(address))
            throw new FormatException($"'{address}' is not a valid e-mail address (local-part@domain).");
        Address = address;
        DisplayName = string.IsNullOrWhiteSpace(displayName) ? null : displayName;
    }

    private MailboxAddress(MimeKit.MailboxAddress parsed)
    {
        Address = parsed.Address;
        DisplayName = string.IsNullOrWhiteSpace(parsed.Name) ? null : parsed.Name;
    }

    public string Address { get; }

    public string? DisplayName { get; }

    public string Domain => Address[(Address.LastIndexOf('@') + 1)..];

    public static MailboxAddress Parse(string text) =>
        TryParse(text, out var address, out var error) ? address : throw new FormatException(error);

    public static bool TryParse(string? text, [NotNullWhen(true)] out MailboxAddress? address, out string error)
    {
        address = null;
        error = Refusal(text, Strict, out var parsed) ?? "";
        if (parsed is null)
            return false;
        address = new MailboxAddress(parsed);
        return true;
    }

    /// <summary>True for a bare addr-spec (no display name, no angle brackets) the broker accepts.</summary>
    public static bool IsValidAddress(string? address) =>
        address is not null && !address.TrimStart().StartsWith('<')
        && Refusal(address, Strict, out var parsed) is null && string.IsNullOrEmpty(parsed!.Name);

    /// <summary>The mailboxes of an address-list header ("a@x, \"B, C\" &lt;b@y&gt;, group: d@z;"), group members
    /// included; parsed leniently (fetched mail is not always well-formed) and entries the broker refuses skipped.</summary>
    public static IReadOnlyList<MailboxAddress> ParseList(string text)
    {
        if (!InternetAddressList.TryParse(ParserOptions.Default, text, out var list))
            return [];
        return list.Mailboxes.Where(m => Refusal(m) is null).Select(m => new MailboxAddress(m)).ToList();
    }

    public MimeKit.MailboxAddress ToMimeKit() => new(DisplayName, Address);

    public override string ToString() => DisplayName is null ? Address : $"{DisplayName} <{Address}>";

    /// <summary>Why <paramref name="text"/> is refused, or null with the parsed mailbox.</summary>
    private static string? Refusal(string? text, ParserOptions options, out MimeKit.MailboxAddress? mailbox)
    {
        mailbox = null;
        if (string.IsNullOrWhiteSpace(text))
            return "an address is empty";
        if (text.AsSpan().IndexOfAny('\r', '\n') >= 0)
            return "an address must not contain CR or LF";
        // MimeKit reads a malformed encoded word as plain text (or as a group name): decode the whole text the way a
        // lenient reader would, so a line break hidden in it is named for what it is.
        if (HasControlCharacter(Rfc2047.DecodePhrase(ParserOptions.Default, Encoding.UTF8.GetBytes(text))))
            return $"'{text}' hides a control character (CR, LF or NUL) in an encoded word; refused because it could inject headers";
        if (!InternetAddress.TryParse(options, text, out var parsed))
            return $"'{text}' is not a valid e-mail address (local-part@domain or Name <local-part@domain>)";
        if (parsed is not MimeKit.MailboxAddress candidate)
            return $"'{text}' is group syntax (name: addresses;), not a single mailbox";
        if (Refusal(candidate) is { } why)
            return $"'{text}' {why}";
        mailbox = candidate;
        return null;
    }

    /// <summary>The broker's rules on a mailbox MimeKit accepted.</summary>
    private static string? Refusal(MimeKit.MailboxAddress mailbox)
    {
        if (HasControlCharacter(mailbox.Name))
            return "has a display name with a control character (CR, LF or NUL); refused because it could inject headers";
        if (mailbox.Route.Count > 0)
            return "is a source-routed address (<@host:local@domain>); give the plain address";
        if (mailbox.Address.Length > MaxAddressLength)
            return $"is longer than {MaxAddressLength} characters";
        if (mailbox.Address.Any(char.IsControl))
            return "contains a control character";
        var domain = mailbox.Domain;
        if (!domain.StartsWith('[') && domain.Split('.').Any(label => label.Length is 0 or > 63 || label[0] == '-' || label[^1] == '-'))
            return $"has an invalid domain '{domain}' (labels of 1-63 characters, not starting or ending with '-')";
        return null;
    }

    private static bool HasControlCharacter(string? text) => text is not null && text.Any(c => char.IsControl(c) && c != '\t');

    private static ParserOptions CreateStrictOptions()
    {
        var options = ParserOptions.Default.Clone();
        options.AddressParserComplianceMode = RfcComplianceMode.Strict;
        options.Rfc2047ComplianceMode = RfcComplianceMode.Strict;
        options.AllowAddressesWithoutDomain = false;
        options.AllowUnquotedCommasInAddresses = false;
        return options;
    }
}
