using TokenBroker.Mail.Smtp;
using TokenBroker.Mail.Tests.Support;

namespace TokenBroker.Mail.Tests.Smtp;

/// <summary>Script snippets for the SMTP transcript tests: an smtps server that greets and answers EHLO.</summary>
internal static class SmtpTestServer
{
    public const string Ehlo = "250-mail.test\r\n250-PIPELINING\r\n250-SIZE 10000000\r\n250-8BITMIME\r\n250-AUTH XOAUTH2 OAUTHBEARER\r\n250 ENHANCEDSTATUSCODES\r\n";
    public const string EhloWithoutPipelining = "250-mail.test\r\n250-AUTH XOAUTH2 OAUTHBEARER\r\n250 ENHANCEDSTATUSCODES\r\n";

    public static ScriptedServer Start(Action<ScriptedServer> afterEhlo, string ehloReply = Ehlo) =>
        ScriptedServer.Start(s =>
        {
            s.StartTls().Send("220 mail.test ESMTP ready\r\n").Expect("EHLO localhost").Send(ehloReply);
            afterEhlo(s);
        });

    public static async Task<SmtpClient> ConnectAsync(ScriptedServer server, TimeSpan? commandTimeout = null)
    {
        var client = new SmtpClient(ScriptedServer.ClientOptions(commandTimeout));
        await client.ConnectAsync(server.Endpoint("smtps"));
        return client;
    }

    public static MemoryStream Message(string text) => new(System.Text.Encoding.UTF8.GetBytes(text));
}
