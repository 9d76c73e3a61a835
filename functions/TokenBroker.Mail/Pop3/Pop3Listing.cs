namespace TokenBroker.Mail.Pop3;

/// <summary>STAT: how many messages the maildrop holds and their total size in octets.</summary>
public sealed record Pop3Status(int MessageCount, long TotalSize);

/// <summary>A UIDL entry: the message number in this session and its unique id, stable across sessions.</summary>
public sealed record Pop3UniqueId(int MessageNumber, string Uid);

/// <summary>A LIST entry: the message number and its size in octets.</summary>
public sealed record Pop3MessageSize(int MessageNumber, long Size);
