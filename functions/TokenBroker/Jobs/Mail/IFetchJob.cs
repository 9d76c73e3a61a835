
namespace TokenBroker.Jobs.Mail;

/// <summary>
/// Runs a validated fetch request. Same error contract as sending: throw <see cref="MailRequestRejectedException"/>
/// for a permanent failure (the worker reports mail.failed and poisons the request); any other exception is
/// transient (the queue retries). Emit mail.fetched events through <paramref name="context"/>'s "events" output.
/// </summary>
public interface IFetchJob
{
    Task RunAsync(FetchRequest request, InvocationOutputs context, CancellationToken cancellationToken = default);
}
