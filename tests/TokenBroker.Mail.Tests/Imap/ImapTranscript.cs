using System.Text;
using TokenBroker.Mail.Imap;
using TokenBroker.Mail.Tests.Support;

namespace TokenBroker.Mail.Tests.Imap;

/// <summary>Starts an <see cref="ImapClient"/> on canned server bytes (greeting included).</summary>
internal static class ImapTranscript
{
    public const string DovecotGreeting =
        "* OK [CAPABILITY IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE LITERAL+ AUTH=XOAUTH2 AUTH=OAUTHBEARER] Dovecot ready.";

    public static string Lines(params string[] lines) => string.Concat(lines.Select(line => line + "\r\n"));

    public static async Task<(ImapClient Client, CannedTransport Transport)> StartAsync(string serverText, bool encrypted = true)
    {
        var transport = new CannedTransport(serverText, encrypted);
        var client = new ImapClient(transport.Connection);
        await client.ReadGreetingAsync(TestContext.Current.CancellationToken);
        return (client, transport);
    }

    public static async Task<(ImapClient Client, CannedTransport Transport)> StartAsync(byte[] serverBytes)
    {
        var transport = new CannedTransport(serverBytes);
        var client = new ImapClient(transport.Connection);
        await client.ReadGreetingAsync(TestContext.Current.CancellationToken);
        return (client, transport);
    }

    public static byte[] Bytes(string text) => Encoding.UTF8.GetBytes(text);
}
