using TokenBroker.Store;

namespace TokenBroker.OAuth;

/// <summary>Which Exchange Online permissions each mail protocol needs, delegated and app-only.</summary>
public static class MailScopes
{
    public const string ExchangeResource = "https://outlook.office.com";

    /// <summary>The app id of "Office 365 Exchange Online", which some tokens carry as aud instead of the URL.</summary>
    public const string ExchangeAppId = "00000002-0000-0ff1-ce00-000000000000";

    public const string OfflineAccess = "offline_access";

    /// <summary>Client credentials take the resource's .default scope; the granted permissions arrive as roles.</summary>
    public const string AppOnlyScope = "https://outlook.office365.com/.default";

    private static readonly (MailProtocols Protocol, string Name, string Scope, string Role)[] Table =
    [
        (MailProtocols.Imap, "imap", "IMAP.AccessAsUser.All", "IMAP.AccessAsApp"),
        (MailProtocols.Pop3, "pop", "POP.AccessAsUser.All", "POP.AccessAsApp"),
        (MailProtocols.Smtp, "smtp", "SMTP.Send", "SMTP.SendAsApp"),
    ];

    /// <summary>Full scope URIs as requested from the identity provider (without offline_access).</summary>
    public static IReadOnlyList<string> DelegatedScopes(MailProtocols protocols) =>
        Each(protocols).Select(row => ExchangeResource + "/" + row.Scope).ToArray();

    /// <summary>The short scope names the access token's "scp" claim lists.</summary>
    public static IReadOnlyList<string> DelegatedScopeNames(MailProtocols protocols) => Each(protocols).Select(row => row.Scope).ToArray();

    public static IReadOnlyList<string> AppRoles(MailProtocols protocols) => Each(protocols).Select(row => row.Role).ToArray();

    public static string ProtocolOfScope(string scopeName) =>
        Table.FirstOrDefault(row => row.Scope == scopeName || row.Role == scopeName).Name?.ToUpperInvariant() ?? scopeName;

    /// <summary>Parses "imap,smtp" (also "pop3", any case, ',' or ' ' separated); null input means IMAP and SMTP.</summary>
    public static bool TryParseProtocols(string? text, out MailProtocols protocols, out string? error)
    {
        protocols = MailProtocols.None;
        error = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            protocols = MailProtocols.Imap | MailProtocols.Smtp;
            return true;
        }
        foreach (var part in text.Split([',', ' ', ';'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var name = part.ToLowerInvariant() == "pop3" ? "pop" : part.ToLowerInvariant();
            var row = Table.FirstOrDefault(r => r.Name == name);
            if (row.Name is null)
            {
                error = $"Unknown protocol '{part}': use imap, pop and/or smtp, separated by commas.";
                return false;
            }
            protocols |= row.Protocol;
        }
        if (protocols == MailProtocols.None)
        {
            error = "No protocol given: use imap, pop and/or smtp, separated by commas.";
            return false;
        }
        return true;
    }

    public static string Describe(MailProtocols protocols) => string.Join(", ", Each(protocols).Select(row => row.Name.ToUpperInvariant()));

    private static IEnumerable<(MailProtocols Protocol, string Name, string Scope, string Role)> Each(MailProtocols protocols) =>
        Table.Where(row => protocols.HasFlag(row.Protocol));
}
