using TokenBroker.Hosting.Packaging;

namespace TokenBroker.Tests.Infra.Support;

/// <summary>The functions.metadata the isolated worker SDK generated for the broker, copied next to the tests by the build.</summary>
internal static class WorkerMetadata
{
    public static string Path { get; } = System.IO.Path.Combine(AppContext.BaseDirectory, FunctionsMetadata.FileName);

    public static FunctionsMetadata Load() =>
        File.Exists(Path)
            ? FunctionsMetadata.Load(Path)
            : throw new InvalidOperationException(
                $"The worker's {FunctionsMetadata.FileName} is not in the test output ({Path}). The isolated worker SDK generates it when " +
                "functions/TokenBroker is built, and the test project copies it next to the tests: build the solution (dotnet build TokenBroker.sln -c Release) and run the tests again.");
}
