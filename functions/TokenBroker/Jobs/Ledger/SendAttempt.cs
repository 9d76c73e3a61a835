namespace TokenBroker.Jobs.Ledger;

/// <summary>
/// A send handed to the SMTP server: recorded before the transaction starts (<see cref="CommittingAt"/>), so the server
/// may have accepted it from then on. Without a <see cref="SentRecord"/> for the same key, whether it did is unknown (in
/// doubt). <see cref="MessageDate"/> is the Date header the message was built with: a retry reuses it, so it is the same
/// message byte for byte (null in records written before the field existed).
/// </summary>
public sealed record SendAttempt(string MessageId, DateTimeOffset CommittingAt, DateTimeOffset? MessageDate = null);
