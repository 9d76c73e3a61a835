using TokenBroker.Mail.Smtp;

namespace TokenBroker.Mail.Tests.Smtp;

public class ExchangeReplyExplanationsTests
{
    private static SmtpReply Reply(int code, string? status, string text) => new(code, status, [text]);

    [Theory]
    [InlineData(432, "4.3.2", "Concurrent connections limit exceeded.", "3 concurrent SMTP connections")]
    [InlineData(554, "5.2.0", "STOREDRV.Submission.Exception:SubmissionQuotaExceededException", "sending limit")]
    [InlineData(550, "5.2.251", "Message throttled", "throttling")]
    [InlineData(550, "5.2.255", "Message throttled", "throttling")]
    [InlineData(535, "5.7.139", "Authentication unsuccessful, SmtpClientAuthentication is disabled for the Mailbox.", "Set-CASMailbox")]
    [InlineData(535, "5.7.3", "Authentication unsuccessful", "https://outlook.office.com")]
    [InlineData(550, "5.7.60", "SMTP; Client does not have permissions to send as this sender", "SendAs")]
    [InlineData(530, "5.7.57", "Client not authenticated to send mail.", "authenticate before MAIL FROM")]
    public void Known_exchange_replies_are_explained(int code, string status, string text, string expected) =>
        Assert.Contains(expected, ExchangeReplyExplanations.Explain(Reply(code, status, text)));

    [Theory]
    [InlineData(554, "5.2.0", "Some other server's transaction failure")]
    [InlineData(550, "5.2.250", "not one of Exchange's throttling codes")]
    [InlineData(535, "5.7.8", "Authentication failed.")]
    [InlineData(250, null, "Ok")]
    public void Other_replies_get_no_explanation(int code, string? status, string text) =>
        Assert.Null(ExchangeReplyExplanations.Explain(Reply(code, status, text)));
}
