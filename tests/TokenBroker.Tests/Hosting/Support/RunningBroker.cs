using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using TokenBroker.Hosting;
using TokenBroker.Hosting.Functions;

namespace TokenBroker.Tests.Hosting.Support;

/// <summary>
/// The real app on a free loopback port, with functions the test declares and its own data folder. Its master key is
/// <see cref="TestCredentials.MasterKey"/> and <see cref="Client"/> presents it; use <see cref="AnonymousClient"/> to call as a stranger.
/// </summary>
internal sealed class RunningBroker : IAsyncDisposable
{
    private RunningBroker(WebApplication app, HttpClient client, string dataDirectory)
    {
        App = app;
        Client = client;
        DataDirectory = dataDirectory;
    }

    public WebApplication App { get; }
    public HttpClient Client { get; }
    public HttpClient AnonymousClient() => new() { BaseAddress = Client.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
    public string DataDirectory { get; }
    public IServiceProvider Services => App.Services;

    public static async Task<RunningBroker> StartAsync(HostingMode mode, FunctionCatalog catalog, Action<IServiceCollection>? services = null, IDictionary<string, string>? settings = null, string? dataDirectory = null)
    {
        dataDirectory ??= Directory.CreateTempSubdirectory("tokenbroker-test-").FullName;
        var args = new List<string>
        {
            "--TokenStore:Kind=Embedded",
            $"--Broker:DataDirectory={dataDirectory}",
            "--Broker:Urls=http://127.0.0.1:0",
            "--Logging:LogLevel:Default=Warning",
        };
        if (settings?.ContainsKey("Broker:AdminKey") != true) args.Add($"--Broker:AdminKey={TestCredentials.MasterKey}");
        args.AddRange(TestTables.SpineSettings.Where(s => settings?.ContainsKey(s.Key) != true).Select(s => $"--{s.Key}={s.Value}"));
        args.AddRange((settings ?? new Dictionary<string, string>()).Select(s => $"--{s.Key}={s.Value}"));
        var app = BrokerApplication.Build(new BrokerStartup(args.ToArray(), mode, catalog)
        {
            Configure = builder => services?.Invoke(builder.Services),
        });
        await app.StartAsync(TestContext.Current.CancellationToken);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new RunningBroker(app, TestCredentials.Authorized(new HttpClient { BaseAddress = new Uri(address), Timeout = TimeSpan.FromSeconds(30) }), dataDirectory);
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await App.StopAsync(CancellationToken.None);
        await App.DisposeAsync();
    }
}
