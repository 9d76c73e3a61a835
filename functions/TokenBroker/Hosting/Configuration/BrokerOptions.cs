namespace TokenBroker.Hosting.Configuration;

public sealed class BrokerOptions
{
    public const string Section = "Broker";

    /// <summary>Where the standalone broker keeps its queue database, token store and key ring.</summary>
    public string DataDirectory { get; set; } = ".data";

    /// <summary>Broker:DataDirectory as configured (or the default), for registrations made before options exist.</summary>
    public static string DataDirectoryOf(Microsoft.Extensions.Configuration.IConfiguration configuration) =>
        configuration[$"{Section}:DataDirectory"] is { Length: > 0 } folder ? folder : new BrokerOptions().DataDirectory;

    /// <summary>The URLs Kestrel listens on standalone (ignored under the Functions host, which gives the port).</summary>
    public string Urls { get; set; } = "http://127.0.0.1:7071";

    /// <summary>
    /// The operator's master key: a credential with every operation on every mailbox (send it as a bearer). Optional;
    /// clients with their own scoped secrets (`tokenbroker clients add`) are the better way. Never logged.
    /// </summary>
    public string? AdminKey { get; set; }

    /// <summary>
    /// Standalone: the host names the broker answers to (Host header), separated by ';'. Anything else gets 400, so a
    /// web page cannot reach the broker by pointing a name of its own at 127.0.0.1 (DNS rebinding). Empty: the host
    /// names of <see cref="Urls"/> and of OAuth:PublicBaseUrl, plus localhost.
    /// </summary>
    public string? AllowedHosts { get; set; }
}
