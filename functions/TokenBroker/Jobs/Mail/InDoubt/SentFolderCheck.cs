using TokenBroker.OAuth;
using TokenBroker.Store;

namespace TokenBroker.Jobs.Mail.InDoubt;

/// <summary>Looks for a sent copy of a message (by Message-ID) in the mailbox's Sent folder.</summary>
public interface ISentFolderCheck
{
    /// <summary>Network trouble and throttling propagate (the queue retries); a refusal is <see cref="SentFolderSearch.Unverifiable"/>.</summary>
    Task<SentFolderSearch> FindAsync(Mailbox mailbox, MailboxAccessToken token, string messageId, CancellationToken cancellationToken = default);
}

/// <summary>The answer of a <see cref="ISentFolderCheck"/>: found or not in <see cref="Folder"/>, or why it could not look.</summary>
public sealed record SentFolderSearch(SentFolderSearchOutcome Outcome, string? Folder, string? Reason)
{
    public static SentFolderSearch Found(string folder) => new(SentFolderSearchOutcome.Found, folder, null);
    public static SentFolderSearch NotFound(string folder) => new(SentFolderSearchOutcome.NotFound, folder, null);
    public static SentFolderSearch Unverifiable(string reason) => new(SentFolderSearchOutcome.Unverifiable, null, reason);
}

public enum SentFolderSearchOutcome { Found, NotFound, Unverifiable }
