using System.Text;
using TokenBroker.Mail.Fetch;
using TokenBroker.Mail.Tests.Support;

namespace TokenBroker.Mail.Tests.Fetch;

/// <summary>The scripted IMAP server's opening shared by the fetcher's transcript and hostile-server tests.</summary>
internal static class ImapScript
{
    public const string Greeting = "* OK [CAPABILITY IMAP4rev1 SASL-IR AUTH=XOAUTH2 MOVE UIDPLUS LITERAL+] ready\r\n";

    public static readonly string Blob = Convert.ToBase64String(Encoding.ASCII.GetBytes("user=a@example.com\u0001auth=Bearer token\u0001\u0001"));

    /// <summary>Login with SASL-IR, MailKit's LISTs (hierarchy delimiter, INBOX), then EXAMINE of a folder with UIDVALIDITY 9.</summary>
    public static ScriptedServer Examined(Func<ScriptedServer, ScriptedServer> rest) => Opened(rest, "EXAMINE", "READ-ONLY");

    /// <summary>As <see cref="Examined"/> with SELECT, for a fetch with an after-fetch action.</summary>
    public static ScriptedServer Selected(Func<ScriptedServer, ScriptedServer> rest) => Opened(rest, "SELECT", "READ-WRITE");

    private static ScriptedServer Opened(Func<ScriptedServer, ScriptedServer> rest, string command, string access) => ScriptedServer.Start(s => rest(s.StartTls()
        .Send(Greeting)
        .ExpectTagged("AUTHENTICATE XOAUTH2 " + Blob).SendTagged("OK [CAPABILITY IMAP4rev1 MOVE UIDPLUS LITERAL+] Logged in")
        .ExpectTagged("LIST \"\" \"\"").Send("* LIST (\\Noselect) \"/\" \"\"\r\n").SendTagged("OK List completed.")
        .ExpectTagged("LIST \"\" \"INBOX\"").Send("* LIST (\\HasNoChildren) \"/\" INBOX\r\n").SendTagged("OK List completed.")
        .ExpectTagged(command + " INBOX").Send("* 3 EXISTS\r\n* OK [UIDVALIDITY 9] UIDs valid\r\n* OK [UIDNEXT 8] next\r\n").SendTagged($"OK [{access}] {command} completed.")));

    public static ImapMailFetcher Fetcher(ScriptedServer server, TimeSpan? commandTimeout = null, MailFetchOptions? options = null) =>
        new(server.Endpoint("imaps"), ScriptedServer.ClientOptions(commandTimeout ?? TimeSpan.FromSeconds(5)), new MailLogin("a@example.com", "token"), options);
}
