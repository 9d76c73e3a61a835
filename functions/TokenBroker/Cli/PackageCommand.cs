using System.CommandLine;
using TokenBroker.Hosting.Packaging;

namespace TokenBroker.Cli;

/// <summary>
/// `tokenbroker package DIR`: the Azure Functions deployment folder and zip of the isolated worker, made from the
/// published folder this executable runs from (its functions.metadata, worker.config.json, extensions.json,
/// .azurefunctions/ and host.json).
/// </summary>
internal static class PackageCommand
{
    public static Command Create() => Create(AppContext.BaseDirectory);

    /// <param name="publishedDirectory">The published worker to package (the executable's own folder in production).</param>
    internal static Command Create(string publishedDirectory)
    {
        var directory = new Argument<string>("dir") { Description = "The folder to write (replaced); the zip is written beside it as DIR.zip." };
        var command = new Command("package", "Write the Azure Functions deployment package (this published isolated worker with host.json, plus a local.settings.json for func start) and its zip.") { directory };
        command.SetAction(result =>
        {
            var target = result.GetValue(directory)!;
            try
            {
                var zip = FunctionPackage.Write(publishedDirectory, target);
                result.InvocationConfiguration.Output.WriteLine($"Wrote {Path.GetFullPath(target)} and {zip}.");
                return 0;
            }
            catch (InvalidOperationException invalid)
            {
                result.InvocationConfiguration.Error.WriteLine($"tokenbroker package: {invalid.Message}");
                return 2;
            }
        });
        return command;
    }
}
