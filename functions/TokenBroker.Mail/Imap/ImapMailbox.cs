namespace TokenBroker.Mail.Imap;

/// <summary>The selected mailbox as the server described it on SELECT/EXAMINE, kept current afterwards.</summary>
public sealed class ImapMailbox(string name)
{
    public string Name { get; } = name;

    /// <summary>Changes when the server renumbered UIDs: a checkpoint holding a UID from another validity is void.</summary>
    public uint UidValidity { get; internal set; }

    /// <summary>The UID the next delivered message will get at least (0 when the server did not say).</summary>
    public uint UidNext { get; internal set; }

    public uint Exists { get; internal set; }

    public IReadOnlyList<string> Flags { get; internal set; } = [];

    public bool IsReadOnly { get; internal set; }
}
