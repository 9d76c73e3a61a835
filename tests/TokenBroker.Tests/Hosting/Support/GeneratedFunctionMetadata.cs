using System.Text.Json;

namespace TokenBroker.Tests.Hosting.Support;

/// <summary>The functions.metadata the worker SDK generated when it built the broker (copied next to the tests).</summary>
internal static class GeneratedFunctionMetadata
{
    public static string Path => System.IO.Path.Combine(AppContext.BaseDirectory, "functions.metadata");

    public static IReadOnlyList<JsonElement> Load()
    {
        if (!File.Exists(Path))
            throw new FileNotFoundException($"{Path} is missing: the test project copies it from the broker's build output, so build the solution first.");
        using var document = JsonDocument.Parse(File.ReadAllText(Path));
        return document.RootElement.EnumerateArray().Select(function => function.Clone()).ToList();
    }
}
