using System.CommandLine;
using TokenBroker.Hosting;
using TokenBroker.Hosting.Diagnostics;

namespace TokenBroker.Cli;

/// <summary>`tokenbroker serve`: the standalone broker, running the same functions as the worker does on Azure.</summary>
internal static class ServeCommand
{
    public static Command Create()
    {
        var command = new Command("serve", Description());
        command.SetAction((result, cancellationToken) => RunAsync(result.UnmatchedTokens.ToArray(), cancellationToken));
        return command;
    }

    /// <summary>What `serve --help` shows: where settings come from and the ones a first start needs (README: Configuration).</summary>
    internal static string Description() => $"""
        Run the broker standalone: HTTP functions, timers and queue listeners on this machine (the default).

        Settings, later ones winning: {Path.Combine(AppContext.BaseDirectory, "appsettings.json")} (the defaults),
        environment variables (Section__Key, e.g. OAuth__ClientId), then --Section:Key=value after the command.
        A wrong setting stops the start with one sentence naming it (exit code 2). Main settings:
          Broker:DataDirectory (.data)           queue, token store, ledger, cli.credential
          Broker:Urls (http://127.0.0.1:7071)    listen addresses; Broker:AllowedHosts for other host names
          Broker:AdminKey                        optional master key (prefer `tokenbroker clients add`)
          OAuth:TenantId, OAuth:ClientId         the Entra app registration
          OAuth:ClientSecret | OAuth:CertificatePath | OAuth:CertificateKeyVaultSecretName   its credential (one)
          OAuth:PublicBaseUrl or OAuth:RedirectUri   where browsers reach /api/consent/callback
          OAuth:AuthorityHost, OAuth:TrustedCaFile   another identity provider; a PEM CA it is trusted with
          TokenStore:Kind (Embedded | KeyVault), TokenStore:VaultUri
          Queues:Transport (sqlite | azure), AzureWebJobsStorage
          Mail:Smtp, Mail:Imap, Mail:Pop3, Mail:ExtraTrustedCaFile
          Events:WebhookUrl, Events:WebhookSecret   signed event webhook (docs/events.md)
          RefreshSchedule, Refresh:Interval       keep-alive timer
        Without any OAuth setting the broker starts, and /api/status says what sign-in lacks. Full list: README.md, Configuration.
        """;

    /// <summary>Runs until stopped; a configuration mistake ends it with one sentence and exit code 2.</summary>
    public static Task<int> RunAsync(string[] configurationArgs, CancellationToken cancellationToken)
    {
        StartupTrace.Mark("serving standalone");
        return ConfigurationErrors.RunAsync(
            () => BrokerApplication.Build(new BrokerStartup(configurationArgs, HostingMode.Standalone, BrokerFunctions.Catalog)),
            cancellationToken);
    }
}
