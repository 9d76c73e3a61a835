namespace TokenBroker.Jobs.Ledger;

/// <summary>A message the SMTP server accepted: its Message-ID, when, and to how many recipients.</summary>
public sealed record SentRecord(string MessageId, DateTimeOffset SentAt, int Recipients);
