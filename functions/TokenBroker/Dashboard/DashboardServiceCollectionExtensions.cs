using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace TokenBroker.Dashboard;

public static class DashboardServiceCollectionExtensions
{
    public static IServiceCollection AddDashboard(this IServiceCollection services)
    {
        services.TryAddSingleton<DashboardSessions>();
        services.TryAddSingleton<DashboardViewLoader>();
        services.TryAddScoped<DashboardEndpoints>();
        return services;
    }
}
