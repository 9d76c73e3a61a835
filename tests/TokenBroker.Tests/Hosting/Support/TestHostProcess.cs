using System.Diagnostics;

namespace TokenBroker.Tests.Hosting.Support;

/// <summary>tests/TokenBroker.TestHost as a child process, built in the same configuration as these tests.</summary>
internal static class TestHostProcess
{
    public static Process Start(IEnumerable<string> arguments)
    {
        var configuration = new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name; // bin/<Configuration>/net10.0/
        var dll = Path.Combine(RepositoryRoot.Path, "tests", "TokenBroker.TestHost", "bin", configuration, "net10.0", "TokenBroker.TestHost.dll");
        if (!File.Exists(dll))
            throw new InvalidOperationException($"The test host is not built at {dll}.");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(dll);
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        var process = Process.Start(start)!;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }
}
