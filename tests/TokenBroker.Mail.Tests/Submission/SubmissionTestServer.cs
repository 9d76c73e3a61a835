using TokenBroker.Mail.Mime;
using TokenBroker.Mail.Net;
using TokenBroker.Mail.Smtp;
using TokenBroker.Mail.Tests.Support;

namespace TokenBroker.Mail.Tests.Submission;

/// <summary>Script snippets for the MailKit sending transcript tests: an smtps server that greets and answers EHLO.</summary>
internal static class SubmissionTestServer
{
    public const string Ehlo = "250-mail.test\r\n250-PIPELINING\r\n250-8BITMIME\r\n250-AUTH XOAUTH2 OAUTHBEARER\r\n250 ENHANCEDSTATUSCODES\r\n";
    public const string EhloWithChunking = "250-mail.test\r\n250-PIPELINING\r\n250-CHUNKING\r\n250-AUTH XOAUTH2 OAUTHBEARER\r\n250 ENHANCEDSTATUSCODES\r\n";

    public static ScriptedServer Start(Action<ScriptedServer> afterEhlo, string ehloReply = Ehlo) =>
        ScriptedServer.Start(s =>
        {
            s.StartTls().Send("220 mail.test ESMTP ready\r\n").Expect("EHLO localhost").Send(ehloReply);
            afterEhlo(s);
        });

    public static async Task<SubmissionClient> ConnectAsync(ScriptedServer server, TimeSpan? commandTimeout = null)
    {
        var options = ScriptedServer.ClientOptions(commandTimeout);
        var client = MailKitConnector.CreateSubmission(options);
        await MailKitConnector.ConnectAsync(client, server.Endpoint("smtps"), options);
        return client;
    }

    public static MimeKit.MimeMessage Message(string[] to, string text = "hello") => OutgoingMessageBuilder.Build(new OutgoingMessage
    {
        From = "a@example.test",
        To = to,
        Subject = "hi",
        Text = text,
        MessageId = "m1@example.test",
        Date = new DateTimeOffset(2026, 12, 2, 9, 0, 0, TimeSpan.Zero),
    });
}
