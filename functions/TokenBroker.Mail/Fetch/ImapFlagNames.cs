using MailKit;

namespace TokenBroker.Mail.Fetch;

/// <summary>MailKit's flags and keywords written as IMAP writes them ("\Seen", "$Forwarded").</summary>
internal static class ImapFlagNames
{
    private static readonly (MessageFlags Flag, string Name)[] SystemFlags =
    [
        (MessageFlags.Seen, "\\Seen"), (MessageFlags.Answered, "\\Answered"), (MessageFlags.Flagged, "\\Flagged"),
        (MessageFlags.Deleted, "\\Deleted"), (MessageFlags.Draft, "\\Draft"), (MessageFlags.Recent, "\\Recent"),
    ];

    public static IReadOnlyList<string> Of(IMessageSummary summary)
    {
        var flags = summary.Flags ?? MessageFlags.None;
        var names = SystemFlags.Where(f => flags.HasFlag(f.Flag)).Select(f => f.Name).ToList();
        if (summary.Keywords is { } keywords) names.AddRange(keywords.Order(StringComparer.Ordinal));
        return names;
    }
}
