namespace TokenBroker.Jobs.Ledger;

/// <summary>
/// Where a fetch of one mailbox folder stopped. IMAP: the folder's UIDVALIDITY and the last UID delivered (a new
/// UIDVALIDITY means the UIDs restarted). POP3: the UIDLs already delivered that are still on the server; the
/// fetcher keeps the list bounded (it drops UIDLs the server no longer lists).
/// </summary>
public sealed record FetchCheckpoint(long? UidValidity, long? LastUid, IReadOnlyList<string> Pop3Uidls, DateTimeOffset UpdatedAt);
