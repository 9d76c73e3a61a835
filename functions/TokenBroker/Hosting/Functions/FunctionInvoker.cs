using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace TokenBroker.Hosting.Functions;

/// <summary>Runs one timer or queue invocation in its own DI scope; both hosting faces call it.</summary>
public sealed class FunctionInvoker(IServiceScopeFactory scopes, ILoggerFactory loggers)
{
    public async Task<InvocationResult> InvokeTimerAsync(TimerFunction function, TimerInfo timer, CancellationToken cancellationToken)
    {
        var (context, logger) = NewContext(function.Name);
        return await RunAsync(function.Name, context, logger, async services =>
            await function.Create(services).RunAsync(timer, context, cancellationToken));
    }

    public async Task<InvocationResult> InvokeQueueAsync(QueueFunction function, QueueTriggerMessage message, CancellationToken cancellationToken)
    {
        var (context, logger) = NewContext(function.Name);
        return await RunAsync(function.Name, context, logger, async services =>
            await function.Create(services).RunAsync(message, context, cancellationToken));
    }

    private (FunctionContext, InvocationLogger) NewContext(string functionName)
    {
        var logger = new InvocationLogger(loggers.CreateLogger($"Function.{functionName}"));
        return (new FunctionContext(functionName, Guid.NewGuid().ToString("n"), logger), logger);
    }

    private async Task<InvocationResult> RunAsync(string functionName, FunctionContext context, InvocationLogger logger, Func<IServiceProvider, Task> run)
    {
        await using var scope = scopes.CreateAsyncScope();
        try
        {
            await run(scope.ServiceProvider);
            return new InvocationResult(context, logger.Lines, Failure: null);
        }
        catch (Exception exception)
        {
            logger.LogError("Function '{Function}' failed: {Reason}", functionName, exception.Message);
            return new InvocationResult(context, logger.Lines, exception);
        }
    }
}

/// <summary>What an invocation produced: outputs (valid only on success), log lines, and the failure if any.</summary>
public sealed record InvocationResult(FunctionContext Context, IReadOnlyList<string> Logs, Exception? Failure)
{
    public bool Succeeded => Failure is null;
}
