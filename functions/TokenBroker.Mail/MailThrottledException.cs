using System.Globalization;
using System.Text.RegularExpressions;

namespace TokenBroker.Mail;

/// <summary>
/// The server refused a command because the mailbox is throttled (Exchange Online: "Request is
/// throttled. Suggested Backoff Time: N ms"). Transient: retry after <see cref="SuggestedBackoff"/>.
/// </summary>
public sealed partial class MailThrottledException(string message, string serverReply, TimeSpan suggestedBackoff)
    : MailCommandException(message, serverReply)
{
    public TimeSpan SuggestedBackoff { get; } = suggestedBackoff;

    /// <summary>The suggested delay when <paramref name="replyText"/> is a throttling reply.</summary>
    public static bool TryParseBackoff(string replyText, out TimeSpan backoff)
    {
        backoff = TimeSpan.Zero;
        var match = ThrottledPattern().Match(replyText);
        if (!match.Success) return false;
        backoff = TimeSpan.FromMilliseconds(
            match.Groups[1].Success ? long.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture) : 0);
        return true;
    }

    [GeneratedRegex(@"Request is throttled\.?(?:\s*Suggested Backoff Time:\s*(\d{1,9})\s*ms)?", RegexOptions.IgnoreCase)]
    private static partial Regex ThrottledPattern();
}
