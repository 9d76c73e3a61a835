using System.Text.RegularExpressions;
using TokenBroker.Mail;

namespace TokenBroker.Jobs.Fetch;

/// <summary>
/// Which refusals of the IMAP/POP3 server will come back unchanged however often the request is retried, and the reason
/// to report for them. Everything else a server refuses stays transient (the queue retries it).
/// </summary>
internal static partial class FetchServerRefusals
{
    // RFC 5530 response codes that say "not now" rather than "never" for opening a folder.
    private static readonly HashSet<string> TransientImapCodes = new(StringComparer.OrdinalIgnoreCase)
    {
        "UNAVAILABLE", "INUSE", "LIMIT", "SERVERBUG", "EXPUNGEISSUED", "OVERQUOTA",
    };

    /// <summary>The reason when <paramref name="refused"/> means the request can never succeed; null when a retry may.</summary>
    public static string? PermanentReason(MailCommandException refused, bool imap, string mailbox, string folder)
    {
        if (refused is MailThrottledException) return null;
        return imap ? ImapReason(refused, mailbox, folder) : Pop3Reason(refused, mailbox);
    }

    /// <summary>
    /// A NO or BAD to SELECT/EXAMINE of the requested folder: [NONEXISTENT] (RFC 5530) or no code at all (servers
    /// without RFC 5530 say only NO) means the folder is not there or not this user's; the same request fails again.
    /// The mail library names the failed command only in the exception's message ("IMAP SELECT failed: …").
    /// </summary>
    private static string? ImapReason(MailCommandException refused, string mailbox, string folder)
    {
        if (FolderNotListed().IsMatch(refused.Message))
            return $"The IMAP folder \"{folder}\" does not exist in {mailbox} (the server lists no folder of that name; its last line: {refused.ServerReply.Trim()}); check the name (folder names are case-sensitive except INBOX, and subfolders use the server's separator, e.g. \"Archive/2026\") and resubmit.";
        if (!OpeningFolder().IsMatch(refused.Message)) return null;
        var code = ImapResponseCode(refused.ServerReply);
        if (code is not null && TransientImapCodes.Contains(code)) return null;
        var reply = refused.ServerReply.Trim();
        return code is not null && code.Equals("NONEXISTENT", StringComparison.OrdinalIgnoreCase)
            ? $"The IMAP folder \"{folder}\" does not exist in {mailbox} (the server answered: {reply}); check the name (folder names are case-sensitive except INBOX, and subfolders use the server's separator, e.g. \"Archive/2026\") and resubmit."
            : $"The IMAP server refused to open the folder \"{folder}\" of {mailbox} (it answered: {reply}); check that the folder exists and the mailbox may read it, then resubmit.";
    }

    /// <summary>RFC 2449/3206: [SYS/PERM] is a permanent failure of the maildrop; [SYS/TEMP], [IN-USE] and [LOGIN-DELAY] pass.</summary>
    private static string? Pop3Reason(MailCommandException refused, string mailbox) =>
        refused.ServerReply.Contains("[SYS/PERM]", StringComparison.OrdinalIgnoreCase)
            ? $"The POP3 server reports a permanent failure of {mailbox}'s maildrop (it answered: {refused.ServerReply.Trim()}); an administrator of the mail server must fix the mailbox before it can be fetched."
            : null;

    private static string? ImapResponseCode(string reply)
    {
        var match = ImapStatusWithCode().Match(reply);
        return match.Success ? match.Groups["code"].Value : null;
    }

    /// <summary>MailKit opens a folder only after LIST found it; the mail library says so ("IMAP LIST found no folder …").</summary>
    [GeneratedRegex(@"^IMAP LIST found no folder ", RegexOptions.CultureInvariant)]
    private static partial Regex FolderNotListed();

    [GeneratedRegex(@"^IMAP (SELECT|EXAMINE) failed:", RegexOptions.CultureInvariant)]
    private static partial Regex OpeningFolder();

    [GeneratedRegex(@"^\S+\s+(?:NO|BAD)\s+\[(?<code>[A-Za-z0-9/-]+)", RegexOptions.CultureInvariant)]
    private static partial Regex ImapStatusWithCode();
}
