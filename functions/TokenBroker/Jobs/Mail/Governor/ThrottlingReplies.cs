using System.Text.RegularExpressions;
using TokenBroker.Mail;
using TokenBroker.Mail.Smtp;

namespace TokenBroker.Jobs.Mail.Governor;

/// <summary>
/// Recognises Exchange Online's replies that mean "this mailbox is over a limit" (432 4.3.2, 450/451 4.7.x,
/// 550 5.2.251-255, 554 5.2.0, "Request is throttled") among the errors a send can end with, and how long everyone
/// should leave the mailbox alone.
/// </summary>
public static partial class ThrottlingReplies
{
    /// <summary>The server's throttling reply in <paramref name="error"/> (or an inner exception), or null.</summary>
    public static Throttling? Recognise(Exception error, MailGovernorOptions options)
    {
        for (var current = error; current is not null; current = current.InnerException)
        {
            if (current is not MailCommandException command) continue;
            var reply = command.ServerReply.Trim();
            if (MailThrottledException.TryParseBackoff(reply, out var suggested))
                return new Throttling(suggested > TimeSpan.Zero ? suggested : options.ThrottledBackoff, Sentence(reply));
            var match = ReplyStart().Match(reply);
            if (!match.Success) continue;
            var (code, status) = (int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture), match.Groups[2].Value);
            var backoff = (code, status) switch
            {
                (432, "4.3.2") => options.ThrottledBackoff,
                (450 or 451, _) when status.StartsWith("4.7.", StringComparison.Ordinal) => options.ThrottledBackoff,
                (550, "5.2.251" or "5.2.252" or "5.2.253" or "5.2.254" or "5.2.255") => options.BlockedBackoff,
                (554, "5.2.0") => options.BlockedBackoff,
                _ => (TimeSpan?)null,
            };
            if (backoff is { } wait)
                return new Throttling(wait, Sentence(reply));
        }
        return null;
    }

    private static string Sentence(string reply)
    {
        var firstLine = reply.Split('\n')[0].Trim();
        if (firstLine.Length > 300) firstLine = firstLine[..300] + "…";
        var explanation = ExchangeReplyExplanations.Explain(SmtpReplyOf(firstLine));
        return explanation is null ? $"The server answered \"{firstLine}\"." : $"The server answered \"{firstLine}\": {explanation}";
    }

    private static SmtpReply SmtpReplyOf(string line)
    {
        var match = ReplyStart().Match(line);
        return match.Success
            ? new SmtpReply(int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture), match.Groups[2].Value, [line[match.Length..].Trim()])
            : new SmtpReply(0, null, [line]);
    }

    [GeneratedRegex(@"^(\d{3})[ -](\d\.\d{1,3}\.\d{1,3})")]
    private static partial Regex ReplyStart();
}

/// <summary>A throttling reply: how long the mailbox rests and the sentence status and the event show.</summary>
public sealed record Throttling(TimeSpan Backoff, string Reason);
