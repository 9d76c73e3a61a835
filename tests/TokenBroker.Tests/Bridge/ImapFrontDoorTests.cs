using System.Net.Sockets;
using System.Text;
using TokenBroker.Mail.Net;
using TokenBroker.Testing;
using TokenBroker.Tests.Bridge.Support;

namespace TokenBroker.Tests.Bridge;

/// <summary>The IMAP bridge's dialogue before login, byte for byte, on a loopback plaintext listener.</summary>
public sealed class ImapFrontDoorTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private sealed class Dialogue(TcpClient client) : IDisposable
    {
        private readonly StreamReader _reader = new(client.GetStream(), Encoding.UTF8);

        public async Task<string> LineAsync() => await _reader.ReadLineAsync(Ct).AsTask().WaitAsync(TimeSpan.FromSeconds(30), Ct) ?? "(closed)";

        public Task SendAsync(string text) => client.GetStream().WriteAsync(Encoding.UTF8.GetBytes(text), Ct).AsTask();

        public void Dispose() => client.Dispose();
    }

    private static async Task<Dialogue> OpenAsync(RunningBridge bridge)
    {
        var client = new TcpClient();
        await client.ConnectAsync("127.0.0.1", bridge.Port(MailProtocol.Imap), Ct);
        return new Dialogue(client);
    }

    [Fact]
    public async Task A_login_whose_user_and_secret_are_literals_is_understood_and_answered_by_the_mail_server()
    {
        await using var bridge = await RunningBridge.StartAsync("bridge-literals", "none");
        var mailbox = Maildir.UniqueAddress("lit");
        await bridge.ConsentAsync(mailbox);
        var secret = await bridge.AddAppAsync("literal-app", mailbox);
        using var imap = await OpenAsync(bridge);
        Assert.StartsWith("* OK [CAPABILITY IMAP4rev1 SASL-IR ID AUTH=PLAIN]", await imap.LineAsync(), StringComparison.Ordinal);

        await imap.SendAsync($"a1 LOGIN {{{mailbox.Length}}}\r\n");
        Assert.StartsWith("+ ", await imap.LineAsync(), StringComparison.Ordinal);
        await imap.SendAsync($"{mailbox} {{{secret.Length}}}\r\n");
        Assert.StartsWith("+ ", await imap.LineAsync(), StringComparison.Ordinal);
        await imap.SendAsync($"{secret}\r\na2 SELECT INBOX\r\n"); // SELECT pipelined behind the login: relayed after it

        var login = await imap.LineAsync();
        Assert.Matches(@"^a1 OK \[CAPABILITY [^\]]*IDLE[^\]]*\] Logged in", login); // Dovecot's own answer, under the app's tag
        string line;
        do line = await imap.LineAsync(); while (line.StartsWith('*'));
        Assert.StartsWith("a2 OK", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Commands_before_login_other_than_the_login_ones_are_refused_and_an_invalid_tag_is_bad()
    {
        await using var bridge = await RunningBridge.StartAsync("bridge-prelogin", "none");
        using var imap = await OpenAsync(bridge);
        await imap.LineAsync();

        await imap.SendAsync("a1 SELECT INBOX\r\n* LOGIN x y\r\na3 AUTHENTICATE CRAM-MD5\r\na4 LOGOUT\r\n");

        Assert.Equal("a1 BAD Log in first (LOGIN or AUTHENTICATE PLAIN).", await imap.LineAsync());
        Assert.Equal("* BAD Invalid tag.", await imap.LineAsync());
        Assert.StartsWith("a3 NO [CANNOT]", await imap.LineAsync(), StringComparison.Ordinal);
        Assert.StartsWith("* BYE", await imap.LineAsync(), StringComparison.Ordinal);
        Assert.StartsWith("a4 OK", await imap.LineAsync(), StringComparison.Ordinal);
    }
}
