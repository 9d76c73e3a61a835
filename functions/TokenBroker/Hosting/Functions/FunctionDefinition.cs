namespace TokenBroker.Hosting.Functions;

/// <summary>One function of the app: its name and trigger. Declared only in a <see cref="FunctionTable"/>.</summary>
public abstract record FunctionDefinition(string Name);

/// <summary>Who may call an HTTP function in Azure (the host checks function keys before forwarding).</summary>
public enum HttpAuthLevel { Anonymous, Function, Admin }

/// <summary>
/// An HTTP function. <paramref name="Handler"/> is a minimal-API delegate; it is mapped on
/// <c>/api/{Route}</c> in both hosting modes, because the Functions host forwards the raw request there.
/// </summary>
public sealed record HttpFunction(string Name, string Route, IReadOnlyList<string> Methods, HttpAuthLevel AuthLevel, Delegate Handler)
    : FunctionDefinition(Name);

/// <summary>
/// A timer function. <paramref name="Schedule"/> is a six-field NCRONTAB expression or a <c>%Setting%</c> reference to one;
/// <paramref name="Outputs"/> are the queues it may write to (written only when the run succeeds).
/// </summary>
public sealed record TimerFunction(string Name, string Schedule, bool RunOnStartup, bool UseMonitor, Func<IServiceProvider, ITimerFunction> Create)
    : FunctionDefinition(Name)
{
    public IReadOnlyList<QueueOutputBinding> Outputs { get; init; } = [];
}

/// <summary>
/// A queue-triggered function. <paramref name="QueueName"/> may be a <c>%Setting%</c> reference;
/// <paramref name="Connection"/> names the setting (prefix) that holds the storage connection.
/// </summary>
public sealed record QueueFunction(string Name, string QueueName, string Connection, IReadOnlyList<QueueOutputBinding> Outputs, Func<IServiceProvider, IQueueFunction> Create)
    : FunctionDefinition(Name);

/// <summary>A queue the function writes to; the handler adds messages under <paramref name="BindingName"/>.</summary>
public sealed record QueueOutputBinding(string BindingName, string QueueName, string Connection);
