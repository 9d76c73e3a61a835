using Azure.Identity;
using Azure.Monitor.OpenTelemetry.Exporter;
using Microsoft.Azure.Functions.Worker.OpenTelemetry;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using TokenBroker.Hosting.Health;
using TokenBroker.Jobs.Telemetry;

namespace TokenBroker.Hosting.Telemetry;

/// <summary>
/// Logs, traces and metrics through OpenTelemetry: to Application Insights when APPLICATIONINSIGHTS_CONNECTION_STRING is
/// set (with the app's managed identity when the authentication string asks for Entra ID, as the template does), to an
/// OTLP collector when OTEL_EXPORTER_OTLP_ENDPOINT is set; nowhere otherwise.
/// </summary>
public static class BrokerTelemetry
{
    public const string ApplicationInsightsConnectionString = "APPLICATIONINSIGHTS_CONNECTION_STRING";
    public const string ApplicationInsightsAuthentication = "APPLICATIONINSIGHTS_AUTHENTICATION_STRING";
    public const string OtlpEndpoint = "OTEL_EXPORTER_OTLP_ENDPOINT";

    public static IServiceCollection AddBrokerTelemetry(this IServiceCollection services, IConfiguration configuration, HostingMode mode)
    {
        var applicationInsights = configuration[ApplicationInsightsConnectionString];
        var otlp = configuration[OtlpEndpoint];
        // With nowhere to send it, the OpenTelemetry SDK would only cost start-up time; the meter still counts (MeterListener).
        if (string.IsNullOrWhiteSpace(applicationInsights) && string.IsNullOrWhiteSpace(otlp))
            return services;
        var telemetry = services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService("tokenbroker", serviceVersion: HealthReporter.Version))
            .WithMetrics(metrics => metrics.AddMeter(BrokerMetrics.MeterName));
        if (mode == HostingMode.FunctionsWorker)
            telemetry.UseFunctionsWorkerDefaults();
        if (!string.IsNullOrWhiteSpace(applicationInsights))
            telemetry.UseAzureMonitorExporter(options =>
            {
                options.ConnectionString = applicationInsights;
                if (EntraIdClientId(configuration[ApplicationInsightsAuthentication]) is { } clientId)
                    options.Credential = clientId.Length == 0 ? new ManagedIdentityCredential(ManagedIdentityId.SystemAssigned) : new ManagedIdentityCredential(ManagedIdentityId.FromUserAssignedClientId(clientId));
            });
        if (!string.IsNullOrWhiteSpace(otlp))
            telemetry.UseOtlpExporter();
        return services;
    }

    /// <summary>
    /// "Authorization=AAD" (system-assigned identity: an empty client id) or "Authorization=AAD;ClientId=…" (a user-assigned
    /// one), as App Service documents the setting; null when telemetry is sent with the connection string's key.
    /// </summary>
    internal static string? EntraIdClientId(string? authentication)
    {
        if (string.IsNullOrWhiteSpace(authentication))
            return null;
        var parts = authentication.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(part => part.Split('=', 2, StringSplitOptions.TrimEntries))
            .Where(pair => pair.Length == 2)
            .ToDictionary(pair => pair[0], pair => pair[1], StringComparer.OrdinalIgnoreCase);
        if (!parts.TryGetValue("Authorization", out var kind) || !kind.Equals("AAD", StringComparison.OrdinalIgnoreCase))
            return null;
        return parts.TryGetValue("ClientId", out var clientId) ? clientId : "";
    }
}
