namespace TokenBroker.Tests.Hosting.Support;

internal static class RepositoryRoot
{
    public static string Path { get; } = Find();

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "TokenBroker.sln")))
                return dir.FullName;
        }
        throw new InvalidOperationException("The tests run outside the repository: TokenBroker.sln not found above " + AppContext.BaseDirectory);
    }
}
