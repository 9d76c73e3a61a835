using System.CommandLine;
using Microsoft.Extensions.Configuration;
using TokenBroker.Hosting.Configuration;
using TokenBroker.Hosting.Packaging;

namespace TokenBroker.Cli;

/// <summary>`tokenbroker package DIR`: the Functions deployment folder and zip, generated from the function table.</summary>
internal static class PackageCommand
{
    public static Command Create()
    {
        var directory = new Argument<string>("dir") { Description = "The folder to write (replaced); the zip is written beside it as DIR.zip." };
        var command = new Command("package", "Write an Azure Functions deployment package (host.json, function.json files, this self-contained executable) and its zip.") { directory };
        command.SetAction(result =>
        {
            try
            {
                var zip = FunctionPackage.Write(result.GetValue(directory)!, BrokerFunctions.Catalog, new QueueHostingOptions(), ReferencedSettings());
                Console.WriteLine($"Wrote {Path.GetFullPath(result.GetValue(directory)!)} and {zip}.");
                return 0;
            }
            catch (InvalidOperationException invalid)
            {
                Console.Error.WriteLine($"tokenbroker package: {invalid.Message}");
                return 2;
            }
        });
        return command;
    }

    /// <summary>The %Setting% values the table refers to, with their embedded defaults, for local.settings.json.</summary>
    private static IEnumerable<KeyValuePair<string, string>> ReferencedSettings()
    {
        var defaults = new ConfigurationBuilder().SetBasePath(AppContext.BaseDirectory).AddJsonFile("appsettings.json", optional: true).Build();
        var references = BrokerFunctions.Catalog.Timers.Select(t => t.Schedule)
            .Concat(BrokerFunctions.Catalog.AllQueues().Select(q => q.QueueName))
            .Where(SettingReference.IsReference)
            .Select(r => r[1..^1])
            .Distinct(StringComparer.Ordinal);
        foreach (var name in references)
            yield return new(name, defaults[name] ?? "");
    }
}
