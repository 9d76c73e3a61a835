namespace TokenBroker.Bridge;

/// <summary>How a local endpoint of the bridge is encrypted.</summary>
public enum BridgeTls
{
    /// <summary>Plain first, STARTTLS/STLS offered; credentials only after it (or on loopback, see <see cref="None"/>).</summary>
    StartTls,

    /// <summary>TLS from the first byte (smtps/imaps/pop3s style).</summary>
    Implicit,

    /// <summary>No TLS at all: allowed only when the listener is bound to a loopback address.</summary>
    None,
}

/// <summary>One protocol's listener ("Bridge:Smtp", "Bridge:Imap", "Bridge:Pop3"). Off unless Listen is set.</summary>
public sealed class BridgeListenerOptions
{
    /// <summary>ADDRESS:PORT to listen on, e.g. 127.0.0.1:1587.</summary>
    public string? Listen { get; set; }

    /// <summary>starttls (default), implicit or none (loopback only).</summary>
    public string Tls { get; set; } = "starttls";

    /// <summary>The mail server the bridge logs in to with XOAUTH2 (defaults: Exchange Online's).</summary>
    public string? Upstream { get; set; }
}

/// <summary>The "Bridge" settings of `tokenbroker bridge` (see docs/bridge.md).</summary>
public sealed class BridgeOptions
{
    public const string Section = "Bridge";

    public BridgeListenerOptions Smtp { get; set; } = new();
    public BridgeListenerOptions Imap { get; set; } = new();
    public BridgeListenerOptions Pop3 { get; set; } = new();

    /// <summary>PEM certificate (chain) for the local TLS endpoints, and its PEM private key.</summary>
    public string? CertificateFile { get; set; }
    public string? CertificateKeyFile { get; set; }

    /// <summary>How long a wrong bridge secret waits before its refusal (as a mail server does after a wrong password).</summary>
    public TimeSpan FailedLoginDelay { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Wrong logins allowed on one connection before it is closed.</summary>
    public int MaxFailedLogins { get; set; } = 3;

    /// <summary>Connections served at once per listener; more wait in the accept queue.</summary>
    public int MaxSessions { get; set; } = 1000;

    /// <summary>The longest the bridge waits for each line of the dialogue before login, and for the mail server's answers.</summary>
    public TimeSpan CommandTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>A relayed IMAP/POP3 session silent both ways this long is closed (IDLE clients renew within 29 minutes).</summary>
    public TimeSpan RelayIdleTimeout { get; set; } = TimeSpan.FromMinutes(35);

    /// <summary>Largest message accepted on the SMTP endpoint (Exchange Online's limit is 35 MB after encoding).</summary>
    public int MaxMessageBytes { get; set; } = 35 * 1024 * 1024;

    /// <summary>A remote broker (https://…) whose token endpoint gives the tokens; empty: this machine's store (in process).</summary>
    public string? BrokerUrl { get; set; }

    /// <summary>File holding the bridge's own client secret for <see cref="BrokerUrl"/> (a client with "token" on the mailboxes).</summary>
    public string? CredentialFile { get; set; }

    /// <summary>File holding the Functions host's function key, sent as x-functions-key (a broker on Azure Functions).</summary>
    public string? FunctionKeyFile { get; set; }

    public static readonly IReadOnlyDictionary<string, string> DefaultUpstreams = new Dictionary<string, string>
    {
        ["Smtp"] = "smtp://smtp.office365.com:587",
        ["Imap"] = "imaps://outlook.office365.com:993",
        ["Pop3"] = "pop3s://outlook.office365.com:995",
    };
}
