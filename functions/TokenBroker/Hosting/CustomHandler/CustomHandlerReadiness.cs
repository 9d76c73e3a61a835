using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using TokenBroker.Hosting.Diagnostics;

namespace TokenBroker.Hosting.CustomHandler;

/// <summary>
/// The Functions host's readiness probe, <c>GET /</c>, answered ahead of routing. The first request through routing
/// builds the whole route table — a request delegate compiled for every HTTP function — which a readiness answer
/// does not need, and the host waits for that answer before it sends any work. Once the first probe is answered,
/// the table is built in the background so that the first invocation does not wait for it either.
/// </summary>
internal static class CustomHandlerReadiness
{
    public const string ReadyText = "TokenBroker custom handler is ready.";

    /// <summary>Call before UseRouting: everything after this middleware is what the warm-up runs through.</summary>
    public static IApplicationBuilder UseCustomHandlerReadiness(this IApplicationBuilder app)
    {
        var warmUpStarted = 0;
        return app.Use((context, next) =>
        {
            if (!IsProbe(context.Request))
                return next(context);
            if (Interlocked.Exchange(ref warmUpStarted, 1) == 0)
                _ = Task.Run(() => WarmUpRoutingAsync(next));
            return TypedResults.Text(ReadyText).ExecuteAsync(context);
        });
    }

    private static bool IsProbe(HttpRequest request) =>
        HttpMethods.IsGet(request.Method) && request.Path.Value is "/";

    // A request that matches no endpoint makes routing build its table, then ends as a 404 nobody sees: no handler
    // runs and nothing is written anywhere. Routing builds the table once even if real requests arrive meanwhile.
    private static async Task WarmUpRoutingAsync(RequestDelegate pipeline)
    {
        var context = new DefaultHttpContext();
        context.Request.Method = HttpMethods.Get;
        context.Request.Path = "/";
        try
        {
            await pipeline(context);
            StartupTrace.Mark("route table built");
        }
        catch (Exception)
        {
            // A table that cannot be built fails the first real request with the same error, where it is reported.
        }
    }
}
