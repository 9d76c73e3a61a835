using System.Globalization;

namespace TokenBroker.Mail.Net;

public enum MailProtocol { Smtp, Imap, Pop3 }

/// <summary>How the connection is encrypted. There is no plaintext choice: both end up on TLS before
/// anything secret is sent.</summary>
public enum MailSecurity
{
    /// <summary>Plain TCP first, then STARTTLS/STLS; the client refuses to go on when the server does not offer it.</summary>
    StartTls,

    /// <summary>TLS from the first byte (smtps/imaps/pop3s).</summary>
    ImplicitTls,
}

/// <summary>
/// A mail server address written as a URL: smtp://host[:587] (STARTTLS, required), smtps://host[:465],
/// imap://host[:143] (STARTTLS), imaps://host[:993], pop3://host[:110] (STLS), pop3s://host[:995].
/// </summary>
public sealed record MailEndpoint(MailProtocol Protocol, MailSecurity Security, string Host, int Port)
{
    private static readonly Dictionary<string, (MailProtocol Protocol, MailSecurity Security, int Port)> Schemes =
        new(StringComparer.OrdinalIgnoreCase)
        {
            ["smtp"] = (MailProtocol.Smtp, MailSecurity.StartTls, 587),
            ["smtps"] = (MailProtocol.Smtp, MailSecurity.ImplicitTls, 465),
            ["imap"] = (MailProtocol.Imap, MailSecurity.StartTls, 143),
            ["imaps"] = (MailProtocol.Imap, MailSecurity.ImplicitTls, 993),
            ["pop3"] = (MailProtocol.Pop3, MailSecurity.StartTls, 110),
            ["pop3s"] = (MailProtocol.Pop3, MailSecurity.ImplicitTls, 995),
        };

    public string Scheme => (Protocol, Security) switch
    {
        (MailProtocol.Smtp, MailSecurity.StartTls) => "smtp",
        (MailProtocol.Smtp, _) => "smtps",
        (MailProtocol.Imap, MailSecurity.StartTls) => "imap",
        (MailProtocol.Imap, _) => "imaps",
        (MailProtocol.Pop3, MailSecurity.StartTls) => "pop3",
        _ => "pop3s",
    };

    public static MailEndpoint Parse(string url)
    {
        ArgumentNullException.ThrowIfNull(url);
        return TryParse(url, out var endpoint, out var error) ? endpoint : throw new FormatException(error);
    }

    public static bool TryParse(string url, out MailEndpoint endpoint, out string error)
    {
        endpoint = null!;
        var separator = url.IndexOf("://", StringComparison.Ordinal);
        if (separator <= 0)
        {
            error = $"'{url}' is not a mail server URL: write scheme://host[:port] with scheme {KnownSchemes}.";
            return false;
        }
        var scheme = url[..separator];
        if (!Schemes.TryGetValue(scheme, out var known))
        {
            error = $"'{scheme}' is not a supported mail URL scheme: use {KnownSchemes}.";
            return false;
        }
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || string.IsNullOrEmpty(uri.Host))
        {
            error = $"'{url}' is not a valid URL: write {scheme}://host[:port].";
            return false;
        }
        if (uri.UserInfo.Length > 0 || uri.AbsolutePath is not ("/" or "") || uri.Query.Length > 0 || uri.Fragment.Length > 0)
        {
            error = $"'{url}' must be only {scheme}://host[:port] (no user, path, query or fragment).";
            return false;
        }
        var port = uri.IsDefaultPort || uri.Port < 0 ? known.Port : uri.Port;
        if (port is < 1 or > 65535)
        {
            error = $"'{url}' has an invalid port.";
            return false;
        }
        endpoint = new MailEndpoint(known.Protocol, known.Security, uri.IdnHost, port);
        error = "";
        return true;
    }

    public override string ToString() =>
        $"{Scheme}://{(Host.Contains(':') ? "[" + Host + "]" : Host)}:{Port.ToString(CultureInfo.InvariantCulture)}";

    private static string KnownSchemes => "smtp, smtps, imap, imaps, pop3 or pop3s";
}
