using Microsoft.Azure.Functions.Worker;

namespace TokenBroker.Hosting.Functions;

/// <summary>
/// One function of the app as its <c>[Function]</c> method and trigger attributes declare it: found by
/// <see cref="FunctionCatalog"/>, never declared anywhere else.
/// </summary>
public abstract record DeclaredFunction(string Name, FunctionMethod Method);

/// <summary>An HTTP function, mapped on <c>/api/{Route}</c> for <paramref name="Methods"/> (empty: every method).</summary>
public sealed record HttpFunction(string Name, string Route, IReadOnlyList<string> Methods, AuthorizationLevel AuthLevel, FunctionMethod Method)
    : DeclaredFunction(Name, Method);

/// <summary>
/// A timer function. <paramref name="Schedule"/> is a six-field NCRONTAB expression or a <c>%Setting%</c> reference to one;
/// <paramref name="Outputs"/> are the queues it may write to (written only when the run succeeds).
/// </summary>
public sealed record TimerFunction(string Name, string Schedule, bool RunOnStartup, bool UseMonitor, IReadOnlyList<QueueOutputBinding> Outputs, FunctionMethod Method)
    : DeclaredFunction(Name, Method);

/// <summary>
/// A queue-triggered function. <paramref name="QueueName"/> may be a <c>%Setting%</c> reference;
/// <paramref name="Connection"/> names the setting (prefix) that holds the storage connection.
/// </summary>
public sealed record QueueFunction(string Name, string QueueName, string Connection, IReadOnlyList<QueueOutputBinding> Outputs, FunctionMethod Method)
    : DeclaredFunction(Name, Method);

/// <summary>A queue the function writes to: a property of its return type, named <paramref name="BindingName"/>.</summary>
public sealed record QueueOutputBinding(string BindingName, string QueueName, string Connection);
