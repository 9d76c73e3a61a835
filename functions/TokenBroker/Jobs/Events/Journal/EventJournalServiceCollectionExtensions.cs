using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using TokenBroker.Hosting.Configuration;
using TokenBroker.Jobs.Ledger;

namespace TokenBroker.Jobs.Events.Journal;

public static class EventJournalServiceCollectionExtensions
{
    /// <summary>
    /// The event journal where the ledger lives: the blob ledger's container on Azure, otherwise
    /// Broker:DataDirectory/events.db. Needs the ledger registered (AddMailLedger).
    /// </summary>
    public static IServiceCollection AddEventJournal(this IServiceCollection services, IConfiguration configuration)
    {
        var dataDirectory = BrokerOptions.DataDirectoryOf(configuration);
        services.TryAddSingleton<IEventJournal>(provider => provider.GetRequiredService<IMailLedger>() is AzureBlobMailLedger blobLedger
            ? new BlobEventJournal(blobLedger.Container)
            : new SqliteEventJournal(Path.Combine(Path.GetFullPath(dataDirectory), SqliteEventJournal.DefaultFileName)));
        services.TryAddSingleton<EventRecorder>();
        return services;
    }
}
