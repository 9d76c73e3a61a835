using System.Text;
using TokenBroker.Mail.Smtp;

namespace TokenBroker.Mail.Tests.Smtp;

public class SmtpChunkingTests
{
    private const string EhloWithChunking = "250-mail.test\r\n250-PIPELINING\r\n250-CHUNKING\r\n250-SIZE 50000000\r\n250 AUTH XOAUTH2\r\n";

    [Fact]
    public async Task Small_message_goes_as_envelope_and_bdat_last_in_one_write_without_dot_stuffing()
    {
        const string body = ".first\r\nsecond\r\n";
        // The server answers only after the whole transaction arrived: a client waiting for any reply would time out.
        await using var server = SmtpTestServer.Start(s => s
            .Expect($"MAIL FROM:<a@example.test> SIZE={body.Length} BODY=8BITMIME").Expect("RCPT TO:<b@example.test>")
            .Expect($"BDAT {body.Length} LAST").ReadBytes(body.Length)
            .Send("250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n250 2.0.0 Ok: queued as 7\r\n"),
            EhloWithChunking.Replace("250 AUTH", "250-8BITMIME\r\n250 AUTH"));
        await using (var client = await SmtpTestServer.ConnectAsync(server, TimeSpan.FromSeconds(5)))
        {
            var result = await client.SendAsync("a@example.test", ["b@example.test"], SmtpTestServer.Message(body));
            Assert.Equal("Ok: queued as 7", result.Reply.Text);
        }

        Assert.Equal($"EHLO localhost\r\nMAIL FROM:<a@example.test> SIZE={body.Length} BODY=8BITMIME\r\nRCPT TO:<b@example.test>\r\nBDAT {body.Length} LAST\r\n{body}",
            await server.ClientTextAsync());
    }

    [Fact]
    public async Task Bare_lf_becomes_crlf_in_bdat_chunks_too()
    {
        await using var server = SmtpTestServer.Start(s => s.ReadLine().ReadLine()
            .Expect("BDAT 15 LAST").ReadBytes(15).Send("250 Ok\r\n250 Ok\r\n250 Ok\r\n"), EhloWithChunking);
        await using (var client = await SmtpTestServer.ConnectAsync(server))
            await client.SendAsync("a@example.test", ["b@example.test"], SmtpTestServer.Message("one\ntwo\r\nthree"));

        Assert.EndsWith("BDAT 15 LAST\r\none\r\ntwo\r\nthree", await server.ClientTextAsync());
    }

    [Fact]
    public async Task Large_message_waits_for_the_envelope_then_streams_256_kb_chunks()
    {
        var body = new byte[SmtpChunkStream.ChunkSize + 1000];
        Array.Fill(body, (byte)'x');
        await using var server = SmtpTestServer.Start(s => s
            .ReadLine().ReadLine().Send("250 Ok\r\n250 Ok\r\n")
            .Expect($"BDAT {SmtpChunkStream.ChunkSize}").ReadBytes(SmtpChunkStream.ChunkSize)
            .Expect("BDAT 1000 LAST").ReadBytes(1000)
            .Send($"250 2.0.0 {SmtpChunkStream.ChunkSize} octets received\r\n250 2.0.0 Ok: queued\r\n"), EhloWithChunking);
        await using var client = await SmtpTestServer.ConnectAsync(server);

        var result = await client.SendAsync("a@example.test", ["b@example.test"], new MemoryStream(body));

        Assert.Equal("Ok: queued", result.Reply.Text);
    }

    [Fact]
    public async Task Every_recipient_refused_in_one_trip_reports_the_recipients_not_the_refused_chunk()
    {
        await using var server = SmtpTestServer.Start(s => s.ReadLine().ReadLine().ReadLine().ReadBytes(5)
            .Send("250 Ok\r\n550 5.1.1 unknown user\r\n554 5.5.1 No valid recipients\r\n")
            .Expect("RSET").Send("250 Ok\r\n"), EhloWithChunking);
        await using var client = await SmtpTestServer.ConnectAsync(server);

        var error = await Assert.ThrowsAsync<SmtpCommandException>(() => client.SendAsync("a@example.test", ["x@example.test"], SmtpTestServer.Message("hello")));

        Assert.Equal(SmtpStep.RcptTo, error.Step);
        Assert.Equal("x@example.test", error.RefusedRecipients.Single().Address);
        Assert.True(client.IsConnected);
    }

    [Fact]
    public async Task A_refused_chunk_resets_the_transaction_and_fails_the_message()
    {
        await using var server = SmtpTestServer.Start(s => s.ReadLine().ReadLine().ReadLine().ReadBytes(5)
            .Send("250 Ok\r\n250 Ok\r\n552 5.3.4 Message too big\r\n").Expect("RSET").Send("250 Ok\r\n"), EhloWithChunking);
        await using var client = await SmtpTestServer.ConnectAsync(server);

        var error = await Assert.ThrowsAsync<SmtpCommandException>(() => client.SendAsync("a@example.test", ["b@example.test"], SmtpTestServer.Message("hello")));

        Assert.Equal(SmtpStep.Data, error.Step);
        Assert.Equal("5.3.4", error.EnhancedStatus);
    }

    [Fact]
    public async Task Chunking_can_be_turned_off_to_use_data()
    {
        await using var server = SmtpTestServer.Start(s => s.ReadLine().ReadLine().Send("250 Ok\r\n250 Ok\r\n")
            .Expect("DATA").Send("354 go\r\n").ReadUntil("\r\n.\r\n").Send("250 Ok\r\n"), EhloWithChunking);
        await using (var client = await SmtpTestServer.ConnectAsync(server))
        {
            client.UseChunking = false;
            await client.SendAsync("a@example.test", ["b@example.test"], SmtpTestServer.Message("hello\r\n"));
        }

        Assert.Contains("DATA\r\nhello\r\n.\r\n", Encoding.UTF8.GetString(await server.ClientBytesAsync()));
    }
}
