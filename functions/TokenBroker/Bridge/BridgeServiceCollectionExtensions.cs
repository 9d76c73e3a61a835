using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using TokenBroker.Bridge.Access;
using TokenBroker.Bridge.Reports;
using TokenBroker.Jobs.Mail;
using TokenBroker.Jobs.Mail.Governor;
using TokenBroker.Mail.Net;

namespace TokenBroker.Bridge;

/// <summary>The bridge's services. Settings are read now, so a mistake stops the start with one sentence naming it.</summary>
public static class BridgeServiceCollectionExtensions
{
    public static IServiceCollection AddBridge(this IServiceCollection services, IConfiguration configuration)
    {
        var options = new BridgeOptions();
        configuration.GetSection(BridgeOptions.Section).Bind(options);
        var endpoints = BridgeEndpoints.From(options);
        var certificate = BridgeEndpoints.LoadCertificate(options);
        var upstreamOptions = new MailClientOptions
        {
            ExtraTrustedRoots = MailServerSettings.LoadExtraRoots(configuration["Mail:ExtraTrustedCaFile"]),
            CommandTimeout = options.CommandTimeout,
        };

        services.TryAddSingleton(TimeProvider.System);
        services.AddMetrics();
        services.AddSingleton(options);
        var remote = !string.IsNullOrWhiteSpace(options.BrokerUrl);
        if (!remote)
        {
            services.TryAddSingleton<IBridgeAccess, InProcessBridgeAccess>();
            // Next to `serve` on its data folder: the counters go where its status reads them.
            services.AddHostedService<BridgeStatusWriter>();
        }
        else
        {
            var (brokerUrl, credential) = RemoteBrokerSettings(options);
            var functionKey = ReadSecretFile(options.FunctionKeyFile, "Bridge:FunctionKeyFile");
            services.AddSingleton(provider =>
            {
                var client = RemoteBridgeAccess.CreateClient(brokerUrl, credential, options.CommandTimeout, provider.GetService<BrokerHttpHandler>()?.Handler);
                // On Azure the host checks its function key first; the client secret is still what grants anything.
                if (functionKey is not null) client.DefaultRequestHeaders.Add(TokenBroker.Callers.CallerAuthenticator.FunctionsKeyHeader, functionKey);
                return new RemoteBroker(client);
            });
            services.TryAddSingleton<IBridgeAccess>(provider => new RemoteBridgeAccess(provider.GetRequiredService<RemoteBroker>().Client, provider.GetRequiredService<TimeProvider>()));
            // The counters go to the broker's status; its token endpoint raises the refusal events (this machine's queue is nobody's).
            services.AddHostedService<RemoteBridgeStatusReporter>();
        }
        services.AddSingleton(provider => new BridgeActivity(provider.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(),
            provider.GetRequiredService<ILogger<BridgeActivity>>(), remote ? null : provider.GetService<BridgeRefusalEvents>()));
        services.AddSingleton<BridgeLogin>();
        services.AddSingleton(provider => new BridgeService(endpoints, options, certificate, upstreamOptions,
            provider.GetRequiredService<BridgeLogin>(), provider.GetRequiredService<IBridgeAccess>(), provider.GetRequiredService<SendGovernor>(),
            provider.GetRequiredService<TimeProvider>(), provider.GetRequiredService<ILogger<BridgeService>>()));
        services.AddHostedService(provider => provider.GetRequiredService<BridgeService>());
        return services;
    }

    private static (Uri Url, string Credential) RemoteBrokerSettings(BridgeOptions options)
    {
        if (!Uri.TryCreate(options.BrokerUrl!.Trim().TrimEnd('/') + "/", UriKind.Absolute, out var url) || url.Scheme is not ("https" or "http"))
            throw new InvalidOperationException($"Setting 'Bridge:BrokerUrl' is '{options.BrokerUrl}': write the broker's address, e.g. https://tokenbroker-xyz.azurewebsites.net.");
        if (url.Scheme == "http" && !url.IsLoopback)
            throw new InvalidOperationException($"Setting 'Bridge:BrokerUrl' is '{options.BrokerUrl}': tokens travel only over https (http is allowed for a broker on this machine).");
        if (string.IsNullOrWhiteSpace(options.CredentialFile) || !File.Exists(options.CredentialFile))
            throw new InvalidOperationException("Setting 'Bridge:CredentialFile' must name the file holding the bridge's own client secret (`tokenbroker clients add bridge --can token --mailboxes … --secret-file FILE`).");
        return (url, ReadSecretFile(options.CredentialFile, "Bridge:CredentialFile")!);
    }

    private static string? ReadSecretFile(string? file, string setting)
    {
        if (string.IsNullOrWhiteSpace(file)) return null;
        if (!File.Exists(file)) throw new InvalidOperationException($"Setting '{setting}' names '{file}', which does not exist.");
        var secret = File.ReadAllText(file).Trim();
        return secret.Length > 0 ? secret : throw new InvalidOperationException($"Setting '{setting}': '{file}' is empty.");
    }
}

/// <summary>The HTTP client for the remote broker, presenting the bridge's own credential.</summary>
public sealed record RemoteBroker(HttpClient Client);

/// <summary>A handler for the bridge's calls to a remote broker (tests: one that trusts their own CA).</summary>
public sealed record BrokerHttpHandler(HttpMessageHandler Handler);
