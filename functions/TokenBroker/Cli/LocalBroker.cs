using System.CommandLine;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using TokenBroker.Hosting;
using TokenBroker.Hosting.Configuration;
using TokenBroker.Jobs.Events;
using TokenBroker.Jobs.Refresh;
using TokenBroker.OAuth;
using TokenBroker.Store;

namespace TokenBroker.Cli;

/// <summary>
/// The broker's store, OAuth client and event queue opened directly by a CLI command on the broker's machine (like
/// `tokenbroker clients`), configured as `serve` is: appsettings.json, environment, then --Section:Key=value. Logs go
/// nowhere: a command prints its own sentences, and nothing it handles (tokens, files) is ever logged.
/// </summary>
internal static class LocalBroker
{
    /// <summary>The settings `serve` would read: appsettings.json, environment, then --Section:Key=value.</summary>
    public static IConfigurationRoot Configuration(ParseResult result) => new ConfigurationBuilder()
        .SetBasePath(AppContext.BaseDirectory)
        .AddJsonFile("appsettings.json", optional: true, reloadOnChange: false)
        .AddEnvironmentVariables()
        .AddCommandLine([.. result.UnmatchedTokens])
        .Build();

    public static ServiceProvider Open(ParseResult result)
    {
        var configuration = Configuration(result);
        var services = new ServiceCollection()
            .AddSingleton<IConfiguration>(configuration)
            .AddSingleton(TimeProvider.System)
            .AddLogging(logging => logging.ClearProviders());
        services.AddOptions<BrokerOptions>().BindConfiguration(BrokerOptions.Section);
        services.AddOptions<QueueHostingOptions>().BindConfiguration(QueueHostingOptions.Section);
        services.AddTokenStore(configuration);
        services.AddOAuth(configuration);
        services.AddQueueTransport();
        services.AddRefreshJob(configuration);
        // A mailbox healed from the command line is reported on broker-events like one healed in the browser.
        services.AddSingleton<IBrokerEventSink, QueueBrokerEventSink>();
        return services.BuildServiceProvider();
    }

    /// <summary>True for what opening the store or reading the OAuth settings throws when the configuration is wrong.</summary>
    public static bool IsConfigurationProblem(Exception e) =>
        e is InvalidOperationException or IOException or UnauthorizedAccessException or Azure.RequestFailedException
            or Azure.Identity.AuthenticationFailedException or Microsoft.Extensions.Options.OptionsValidationException or ArgumentException;

    public static string Describe(Exception e) =>
        e is Microsoft.Extensions.Options.OptionsValidationException invalid ? string.Join(" ", invalid.Failures) : e.Message;

    /// <summary>The consent outcome as lines for a terminal: title, then each sentence.</summary>
    public static void Write(TextWriter writer, ConsentOutcome outcome)
    {
        writer.WriteLine(outcome.Title + ".");
        foreach (var paragraph in outcome.Paragraphs) writer.WriteLine("  " + paragraph);
    }
}
