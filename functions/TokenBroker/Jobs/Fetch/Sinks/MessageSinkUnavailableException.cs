namespace TokenBroker.Jobs.Fetch.Sinks;

/// <summary>The sink could not take a message now (5xx, network, timeout); the request is retried later.</summary>
public sealed class MessageSinkUnavailableException(string message, Exception? innerException = null) : Exception(message, innerException);
