using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using TokenBroker.Jobs.Queues;

namespace TokenBroker.Jobs.Mailboxes;

public static class MailboxActionsServiceCollectionExtensions
{
    /// <summary>The operator's actions on mailboxes and queues (needs the store, OAuth, the mail jobs, the refresh job and the event journal).</summary>
    public static IServiceCollection AddMailboxActions(this IServiceCollection services)
    {
        services.TryAddSingleton<MailboxActions>();
        services.TryAddSingleton<MailboxProbe>();
        services.TryAddSingleton<PoisonedRequests>();
        return services;
    }
}
