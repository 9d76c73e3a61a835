namespace TokenBroker.Hosting.Configuration;

public sealed class BrokerOptions
{
    public const string Section = "Broker";

    /// <summary>Where the standalone broker keeps its queue database, token store and key ring.</summary>
    public string DataDirectory { get; set; } = ".data";

    /// <summary>The URLs Kestrel listens on standalone (ignored under the Functions host, which gives the port).</summary>
    public string Urls { get; set; } = "http://127.0.0.1:7071";

    /// <summary>Standalone: the key that lets callers on other machines use non-anonymous functions. Never logged.</summary>
    public string? AdminKey { get; set; }
}
