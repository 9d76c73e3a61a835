using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using TokenBroker.Callers;

namespace TokenBroker.Hosting.Standalone;

/// <summary>On start, makes sure the data folder holds the local CLI's credential (see <see cref="LocalCliCredential"/>).</summary>
internal sealed class LocalCliCredentialWriter(IClientRegistry registry, IOptions<TokenBroker.Hosting.Configuration.BrokerOptions> broker, TimeProvider timeProvider) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) =>
        LocalCliCredential.EnsureAsync(registry, Path.GetFullPath(broker.Value.DataDirectory), timeProvider, cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
