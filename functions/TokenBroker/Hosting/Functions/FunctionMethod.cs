using System.Reflection;
using Microsoft.Extensions.DependencyInjection;

namespace TokenBroker.Hosting.Functions;

/// <summary>
/// A <c>[Function]</c> method and its class. As in the isolated worker, the class is created for each invocation
/// from the invocation's services (constructor injection), and the method's result is awaited.
/// </summary>
public sealed record FunctionMethod(Type DeclaringType, MethodInfo Method)
{
    public IReadOnlyList<ParameterInfo> Parameters { get; } = Method.GetParameters();

    /// <summary>The result type without Task: what the outputs are read from.</summary>
    public Type ResultType { get; } = UnwrapTask(Method.ReturnType);

    public async Task<object?> InvokeAsync(IServiceProvider services, object?[] arguments)
    {
        var instance = Method.IsStatic ? null : ActivatorUtilities.CreateInstance(services, DeclaringType);
        try
        {
            var returned = Method.Invoke(instance, BindingFlags.DoNotWrapExceptions, binder: null, arguments, culture: null);
            if (returned is not Task task)
                return returned;
            await task.ConfigureAwait(false);
            return ResultType == typeof(void) ? null : task.GetType().GetProperty(nameof(Task<object>.Result))!.GetValue(task);
        }
        finally
        {
            switch (instance)
            {
                case IAsyncDisposable asyncDisposable: await asyncDisposable.DisposeAsync().ConfigureAwait(false); break;
                case IDisposable disposable: disposable.Dispose(); break;
            }
        }
    }

    private static Type UnwrapTask(Type type) =>
        type == typeof(Task) ? typeof(void)
        : type.IsGenericType && type.GetGenericTypeDefinition() == typeof(Task<>) ? type.GetGenericArguments()[0]
        : type;
}
