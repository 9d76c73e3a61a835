using Microsoft.Extensions.Logging;

namespace TokenBroker.Hosting.Functions;

/// <summary>Forwards to the app's logger and keeps the lines, which the custom handler returns to the host as Logs.</summary>
internal sealed class InvocationLogger(ILogger inner) : ILogger
{
    private readonly List<string> _lines = [];

    public IReadOnlyList<string> Lines { get { lock (_lines) return _lines.ToList(); } }

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => inner.BeginScope(state);

    // The host gets Information and above whatever the console filter says.
    public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information || inner.IsEnabled(logLevel);

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        inner.Log(logLevel, eventId, state, exception, formatter);
        if (logLevel < LogLevel.Information)
            return;
        var line = $"{logLevel}: {formatter(state, exception)}";
        lock (_lines) _lines.Add(line);
    }
}
