using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using TokenBroker.Hosting.Functions;

namespace TokenBroker.Hosting.Standalone;

/// <summary>
/// Maps every HTTP function on <c>/api/{route}</c> for its methods, as the Functions host routes them, and runs it as the
/// ASP.NET Core integration of the worker does: the function's class from the request's services, its IResult executed.
/// </summary>
internal static class HttpFunctionEndpoints
{
    public const string RoutePrefix = "/api/";

    public static void MapHttpFunctions(this IEndpointRouteBuilder endpoints, FunctionCatalog catalog)
    {
        foreach (var function in catalog.Http)
        {
            var pattern = RoutePrefix + function.Route;
            var endpoint = function.Methods.Count == 0
                ? endpoints.Map(pattern, context => InvokeAsync(function, context))
                : endpoints.MapMethods(pattern, function.Methods.Select(m => m.ToUpperInvariant()), context => InvokeAsync(function, context));
            endpoint.WithName(function.Name);
        }
    }

    private static async Task InvokeAsync(HttpFunction function, HttpContext context)
    {
        if (await HttpAuthLevelCheck.CheckAsync(function.AuthLevel, context) is { } refusal)
        {
            await refusal.ExecuteAsync(context);
            return;
        }
        var arguments = ParameterBinding.Arguments(function, context.Request, context.RequestAborted, name => context.GetRouteValue(name)?.ToString());
        var result = await function.Method.InvokeAsync(context.RequestServices, arguments);
        switch (result)
        {
            case IResult answer: await answer.ExecuteAsync(context); break;
            case null: context.Response.StatusCode = StatusCodes.Status204NoContent; break;
            default: await TypedResults.Json(result).ExecuteAsync(context); break;
        }
    }
}
