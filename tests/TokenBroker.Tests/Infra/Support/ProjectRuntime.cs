using System.Text.RegularExpressions;
using System.Xml.Linq;
using TokenBroker.Tests.Hosting.Support;

namespace TokenBroker.Tests.Infra.Support;

/// <summary>The .NET version the Function App project builds for, read from its project files as MSBuild would find it.</summary>
internal static partial class ProjectRuntime
{
    public static string ProjectPath { get; } = Path.Combine(RepositoryRoot.Path, "functions", "TokenBroker", "TokenBroker.csproj");

    /// <summary>The TargetFramework of the project (its own, else the nearest Directory.Build.props'), e.g. "net10.0".</summary>
    public static string TargetFramework { get; } = FindTargetFramework();

    /// <summary>The version Azure names the runtime by: net10.0 → "10.0".</summary>
    public static string DotnetVersion => VersionOf(TargetFramework);

    public static string VersionOf(string targetFramework)
    {
        var match = NetTargetFramework().Match(targetFramework);
        return match.Success
            ? match.Groups[1].Value
            : throw new InvalidOperationException($"'{targetFramework}' is not a .NET target framework like net10.0; the isolated worker on Azure runs only those.");
    }

    private static string FindTargetFramework()
    {
        var candidates = new List<string> { ProjectPath };
        for (var dir = new DirectoryInfo(Path.GetDirectoryName(ProjectPath)!); dir is not null; dir = dir.Parent)
        {
            candidates.Add(Path.Combine(dir.FullName, "Directory.Build.props"));
            if (dir.FullName == RepositoryRoot.Path)
                break;
        }
        foreach (var file in candidates.Where(File.Exists))
        {
            var value = XDocument.Load(file).Descendants().FirstOrDefault(e => e.Name.LocalName == "TargetFramework")?.Value.Trim();
            if (!string.IsNullOrEmpty(value))
                return value;
        }
        throw new InvalidOperationException($"No TargetFramework in {string.Join(" or ", candidates)}.");
    }

    [GeneratedRegex(@"^net(\d+\.\d+)$")]
    private static partial Regex NetTargetFramework();
}
