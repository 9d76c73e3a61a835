using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace TokenBroker.Tests.Hosting.Support;

/// <summary>
/// The executable exactly as packaged (infra/local/test.sh publishes it to artifacts/publish), run as its own process.
/// </summary>
internal sealed class PublishedBroker : IAsyncDisposable
{
    private readonly Process _process;

    private PublishedBroker(Process process, int port)
    {
        _process = process;
        Client = TestCredentials.Authorized(new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(30) });
    }

    public HttpClient Client { get; }

    public static string Executable
    {
        get
        {
            var directory = Environment.GetEnvironmentVariable("TOKENBROKER_PUBLISH_DIR") ?? Path.Combine(RepositoryRoot.Path, "artifacts", "publish");
            var path = Path.Combine(directory, "tokenbroker");
            return File.Exists(path)
                ? path
                : throw new InvalidOperationException($"No published executable at {path}: run dotnet publish functions/TokenBroker -c Release -r linux-x64 --self-contained false -p:PublishReadyToRun=true -o artifacts/publish (the test command does).");
        }
    }

    /// <summary>`tokenbroker serve` on a free loopback port with an embedded store in a new folder; returns once it answers.</summary>
    public static async Task<PublishedBroker> StartStandaloneAsync(IDictionary<string, string>? environment = null)
    {
        var port = FreePort();
        var start = new ProcessStartInfo(Executable, ["serve"])
        {
            WorkingDirectory = Directory.CreateTempSubdirectory("published-").FullName,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["Broker__Urls"] = $"http://127.0.0.1:{port}";
        start.Environment["Broker__DataDirectory"] = Path.Combine(start.WorkingDirectory, "data");
        start.Environment["Broker__AdminKey"] = TestCredentials.MasterKey;
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
            start.Environment[key] = value;
        var process = Process.Start(start)!;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var broker = new PublishedBroker(process, port);
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (true)
        {
            try
            {
                using var response = await broker.Client.GetAsync("/", limit.Token);
                if (response.IsSuccessStatusCode)
                    return broker;
            }
            catch (HttpRequestException) when (!process.HasExited)
            {
                await Task.Delay(20, limit.Token);
            }
        }
    }

    public static async Task<(int ExitCode, string Output, string Error)> RunAsync(IReadOnlyList<string> arguments, IDictionary<string, string>? environment = null, string? workingDirectory = null)
    {
        var start = new ProcessStartInfo(Executable, arguments)
        {
            WorkingDirectory = workingDirectory ?? Directory.CreateTempSubdirectory("published-").FullName,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
            start.Environment[key] = value;
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var limit = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(limit.Token);
        return (process.ExitCode, await output, await error);
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        if (!_process.HasExited)
            _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
        _process.Dispose();
    }
}
