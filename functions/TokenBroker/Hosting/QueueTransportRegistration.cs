using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using TokenBroker.Hosting.Configuration;
using TokenBroker.Queues;

namespace TokenBroker.Hosting;

/// <summary>Chooses the queue transport from "Queues:Transport": the embedded SQLite queue, or Azure Storage queues.</summary>
internal static class QueueTransportRegistration
{
    public const string DatabaseFileName = "queues.db";

    public static IServiceCollection AddQueueTransport(this IServiceCollection services)
    {
        services.TryAddSingleton<IQueueTransport>(provider =>
        {
            var queues = provider.GetRequiredService<IOptions<QueueHostingOptions>>().Value;
            var broker = provider.GetRequiredService<IOptions<BrokerOptions>>().Value;
            var time = provider.GetRequiredService<TimeProvider>();
            return queues.Transport switch
            {
                "azure" => QueueTransportFactory.CreateAzureStorage(provider.GetRequiredService<IConfiguration>(), loggerFactory: provider.GetService<ILoggerFactory>()),
                _ => new SqliteQueueTransport(new SqliteQueueOptions { DatabasePath = Path.Combine(Path.GetFullPath(broker.DataDirectory), DatabaseFileName) }, time),
            };
        });
        return services;
    }

}
