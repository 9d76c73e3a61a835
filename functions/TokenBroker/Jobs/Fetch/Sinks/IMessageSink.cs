namespace TokenBroker.Jobs.Fetch.Sinks;

/// <summary>One fetched message on its way to a sink. <see cref="Content"/> is the raw RFC 822 message, seekable,
/// positioned at its start, and valid only during the delivery call.</summary>
public sealed record SinkMessage(string Mailbox, string Folder, string ServerId, string DeliveryId, Stream Content);

/// <summary>
/// Takes fetched messages. Returning means the sink has the message for good (the checkpoint then moves past it).
/// A message the sink will never accept throws <see cref="Mail.MailRequestRejectedException"/>; anything else thrown
/// is transient (the request is retried and the message delivered again under the same delivery id).
/// </summary>
public interface IMessageSink
{
    Task DeliverAsync(SinkMessage message, CancellationToken cancellationToken = default);
}
