using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using TokenBroker.Hosting.Functions;

namespace TokenBroker.Hosting.CustomHandler;

/// <summary>
/// The face the Azure Functions host talks to: <c>POST /{function}</c> carries timer and queue invocations
/// (<c>GET /</c>, which tells the host we are up, is <see cref="CustomHandlerReadiness"/>'s). HTTP functions need
/// nothing here: the host forwards them to <c>/api/{route}</c>.
/// </summary>
public static class CustomHandlerEndpoints
{
    public static IEndpointRouteBuilder MapCustomHandlerInvocations(this IEndpointRouteBuilder app)
    {
        app.MapPost("/{functionName}", InvokeAsync);
        return app;
    }

    private static async Task<IResult> InvokeAsync(string functionName, HttpRequest request, FunctionTable table, FunctionInvoker invoker, CancellationToken cancellationToken)
    {
        var function = table.Find(functionName);
        if (function is null)
            return Problem(StatusCodes.Status404NotFound, $"There is no function named '{functionName}'.");

        JsonDocument payload;
        try
        {
            payload = await JsonDocument.ParseAsync(request.Body, cancellationToken: cancellationToken);
        }
        catch (JsonException)
        {
            return Problem(StatusCodes.Status400BadRequest, $"The invocation body for '{function.Name}' is not valid JSON.");
        }

        using (payload)
        {
            try
            {
                var result = function switch
                {
                    TimerFunction timer => await invoker.InvokeTimerAsync(timer, InvocationRequest.ReadTimer(payload, timer.Name, BindingNames.Timer), cancellationToken),
                    QueueFunction queue => await invoker.InvokeQueueAsync(queue, InvocationRequest.ReadQueueMessage(payload, queue.Name, BindingNames.QueueMessage), cancellationToken),
                    _ => throw new InvalidInvocationException(
                        $"'{function.Name}' is an HTTP function: the host forwards it to /api/{((HttpFunction)function).Route} when enableForwardingHttpRequest is on."),
                };
                var response = new InvocationResponse(
                    result.Succeeded ? result.Context.Outputs.ToDictionary(o => o.Key, o => (object?)o.Value) : new Dictionary<string, object?>(),
                    result.Logs,
                    ReturnValue: null);
                // A non-2xx status is how the host learns of a failure: it retries the message, then poisons it.
                return TypedResults.Json(response, statusCode: result.Succeeded ? StatusCodes.Status200OK : StatusCodes.Status500InternalServerError);
            }
            catch (InvalidInvocationException invalid)
            {
                return Problem(StatusCodes.Status400BadRequest, invalid.Message);
            }
        }
    }

    private static IResult Problem(int status, string sentence) =>
        TypedResults.Json(new { error = sentence, Outputs = new Dictionary<string, object?>(), Logs = new[] { sentence } }, statusCode: status);
}
