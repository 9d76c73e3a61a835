namespace TokenBroker.Hosting;

public enum HostingMode { Standalone, CustomHandler }

/// <summary>The running mode as a service, for endpoints that report it.</summary>
public sealed record HostingModeInfo(HostingMode Mode)
{
    public string Name => Mode == HostingMode.CustomHandler ? "custom-handler" : "standalone";

    public const string CustomHandlerPortVariable = "FUNCTIONS_CUSTOMHANDLER_PORT";

    /// <summary>The Functions host announces itself by giving the handler a port.</summary>
    public static HostingMode Detect() =>
        string.IsNullOrEmpty(Environment.GetEnvironmentVariable(CustomHandlerPortVariable)) ? HostingMode.Standalone : HostingMode.CustomHandler;
}
