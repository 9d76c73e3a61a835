namespace TokenBroker.Jobs.Fetch;

/// <summary>Another worker saved the same mailbox/folder checkpoint meanwhile (it is fetching it too): this request
/// stops and is retried later, when it resumes from that worker's checkpoint. Transient.</summary>
public sealed class FetchConflictException(string message, Exception innerException) : Exception(message, innerException);
