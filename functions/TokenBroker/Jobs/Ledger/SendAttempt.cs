namespace TokenBroker.Jobs.Ledger;

/// <summary>
/// A send about to be committed: the message was written to the SMTP server and the final "." (or BDAT LAST) was
/// next. Without a <see cref="SentRecord"/> for the same key, whether the server accepted it is unknown (in doubt).
/// </summary>
public sealed record SendAttempt(string MessageId, DateTimeOffset CommittingAt);
