using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using TokenBroker.Hosting.Configuration;
using TokenBroker.Jobs.Ledger;

namespace TokenBroker.Bridge.Reports;

public static class BridgeReportsServiceCollectionExtensions
{
    /// <summary>
    /// Where remote bridges' reports are kept: next to the ledger (its blob container on Azure, otherwise
    /// Broker:DataDirectory/bridge-reports). Needs the ledger registered (AddMailLedger).
    /// </summary>
    public static IServiceCollection AddBridgeReports(this IServiceCollection services, IConfiguration configuration)
    {
        var dataDirectory = BrokerOptions.DataDirectoryOf(configuration);
        services.TryAddSingleton<IBridgeReports>(provider => provider.GetRequiredService<IMailLedger>() is AzureBlobMailLedger blobLedger
            ? new BlobBridgeReports(blobLedger.Container)
            : new FolderBridgeReports(dataDirectory));
        return services;
    }
}
