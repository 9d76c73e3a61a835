using System.Text;
using TokenBroker.Mail.Net;
using TokenBroker.Mail.Smtp;

namespace TokenBroker.Mail.Tests.Smtp;

public class SmtpReplyReaderTests
{
    private static Task<SmtpReply> Read(string serverBytes) =>
        SmtpReplyReader.ReadAsync(
            MailConnection.FromStream(new MemoryStream(Encoding.UTF8.GetBytes(serverBytes)), MailEndpoint.Parse("smtps://localhost"), new MailClientOptions(), true),
            CancellationToken.None);

    [Fact]
    public async Task Multiline_reply_collects_every_line()
    {
        var reply = await Read("250-mail.example.com\r\n250-PIPELINING\r\n250 SIZE 1000\r\n");

        Assert.Equal(250, reply.Code);
        Assert.Equal(["mail.example.com", "PIPELINING", "SIZE 1000"], reply.Lines);
    }

    [Fact]
    public async Task Enhanced_status_code_is_taken_off_the_text()
    {
        var reply = await Read("535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant.\r\n");

        Assert.Equal(535, reply.Code);
        Assert.Equal("5.7.139", reply.EnhancedStatus);
        Assert.Equal("Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant.", reply.Text);
    }

    [Fact]
    public async Task Enhanced_status_on_every_line_of_a_multiline_reply_is_removed_from_each()
    {
        var reply = await Read("550-5.1.1 The email account does not exist.\r\n550 5.1.1 Please check the address.\r\n");

        Assert.Equal("5.1.1", reply.EnhancedStatus);
        Assert.Equal(["The email account does not exist.", "Please check the address."], reply.Lines);
    }

    [Theory]
    [InlineData("250 2.1.0 Ok\r\n", "2.1.0")]
    [InlineData("250 Ok\r\n", null)]
    [InlineData("550 4.1.1 class mismatch\r\n", null)]
    [InlineData("250 2.0 incomplete\r\n", null)]
    [InlineData("235 2.7.0\r\n", "2.7.0")]
    public async Task Enhanced_status_is_recognised_only_when_well_formed_and_of_the_same_class(string line, string? expected) =>
        Assert.Equal(expected, (await Read(line)).EnhancedStatus);

    [Fact]
    public async Task A_bare_code_is_a_complete_reply()
    {
        var reply = await Read("250\r\n");

        Assert.Equal(250, reply.Code);
        Assert.Equal([""], reply.Lines);
    }

    [Theory]
    [InlineData("hello\r\n")]
    [InlineData("25\r\n")]
    [InlineData("250xok\r\n")]
    [InlineData("650 out of range\r\n")]
    [InlineData("250-first\r\n251 second\r\n")]
    public async Task Malformed_replies_break_the_connection(string serverBytes)
    {
        var error = await Assert.ThrowsAsync<MailProtocolException>(() => Read(serverBytes));

        Assert.NotNull(error.ReceivedText);
    }

    [Fact]
    public async Task Connection_closed_in_the_middle_of_a_multiline_reply_is_a_protocol_error()
    {
        var error = await Assert.ThrowsAsync<MailProtocolException>(() => Read("250-first\r\n"));

        Assert.Contains("closed the connection", error.Message);
    }

    [Fact]
    public async Task Random_bytes_end_in_a_protocol_error_or_a_valid_reply_never_anything_else()
    {
        var random = new Random(20261121);
        var valid = 0;
        for (var i = 0; i < 3000; i++)
        {
            var bytes = i % 2 == 0 ? RandomBytes(random) : MutatedReply(random);
            var connection = MailConnection.FromStream(new MemoryStream(bytes), MailEndpoint.Parse("smtps://localhost"),
                new MailClientOptions { MaxLineLength = 1024 }, true);
            try
            {
                var reply = await SmtpReplyReader.ReadAsync(connection, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken);
                Assert.InRange(reply.Code, 200, 599);
                valid++;
            }
            catch (MailProtocolException)
            {
            }
        }
        Assert.InRange(valid, 1, 2999); // the mutations keep some replies valid, the noise does not
    }

    private static byte[] RandomBytes(Random random)
    {
        var bytes = new byte[random.Next(0, 3000)];
        random.NextBytes(bytes);
        for (var i = 0; i < bytes.Length / 40; i++)
            bytes[random.Next(bytes.Length)] = (byte)'\n';
        return bytes;
    }

    private static byte[] MutatedReply(Random random)
    {
        var bytes = Encoding.ASCII.GetBytes("250-mail.example.com\r\n250-SIZE 1000\r\n250 2.0.0 OK\r\n");
        for (var i = random.Next(0, 4); i > 0; i--)
            bytes[random.Next(bytes.Length)] = (byte)random.Next(256);
        return bytes[..random.Next(0, bytes.Length + 1)];
    }
}
