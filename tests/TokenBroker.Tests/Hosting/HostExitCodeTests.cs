using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using TokenBroker.Hosting;

namespace TokenBroker.Tests.Hosting;

/// <summary>What `serve`, `bridge` and the worker return to whoever supervises them when the host ends.</summary>
public sealed class HostExitCodeTests
{
    private sealed class FailingService : BackgroundService
    {
        protected override async Task ExecuteAsync(CancellationToken stoppingToken)
        {
            await Task.Yield();
            throw new IOException("database is locked");
        }
    }

    private static IHost Build(Action<IServiceCollection> services)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        services(builder.Services);
        return builder.Build();
    }

    [Fact]
    public async Task A_background_service_that_fails_ends_the_run_with_a_failure_exit_code()
    {
        var exit = await ConfigurationErrors.RunAsync(() => Build(s => s.AddHostedService<FailingService>()), TestContext.Current.CancellationToken);

        Assert.Equal(ConfigurationErrors.ServiceFailedExitCode, exit);
    }

    [Fact]
    public async Task A_host_asked_to_stop_ends_the_run_with_exit_code_0()
    {
        using var stop = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));

        var exit = await ConfigurationErrors.RunAsync(() => Build(_ => { }), stop.Token);

        Assert.Equal(0, exit);
    }
}
