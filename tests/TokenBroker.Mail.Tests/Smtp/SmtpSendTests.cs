using TokenBroker.Mail.Smtp;

namespace TokenBroker.Mail.Tests.Smtp;

public class SmtpSendTests
{
    private const string Body = "Subject: hi\r\n\r\nhello\r\n";

    [Fact]
    public async Task Pipelining_sends_mail_from_and_every_rcpt_to_in_one_batch()
    {
        // The server answers only after it has all three commands: a client that waited for each reply would time out.
        await using var server = SmtpTestServer.Start(s => s
            .Expect($"MAIL FROM:<a@example.test> SIZE={Body.Length} BODY=8BITMIME").Expect("RCPT TO:<b@example.test>").Expect("RCPT TO:<c@example.test>")
            .Send("250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n250 2.1.5 Ok\r\n")
            .Expect("DATA").Send("354 End data with <CR><LF>.<CR><LF>\r\n")
            .ReadUntil("\r\n.\r\n").Send("250 2.0.0 Ok: queued as 4F2\r\n"));
        await using var client = await SmtpTestServer.ConnectAsync(server, TimeSpan.FromSeconds(5));

        var result = await client.SendAsync("a@example.test", ["b@example.test", "c@example.test"], SmtpTestServer.Message(Body));

        Assert.Equal(["b@example.test", "c@example.test"], result.AcceptedRecipients);
        Assert.Equal("Ok: queued as 4F2", result.Reply.Text);
    }

    [Fact]
    public async Task Without_pipelining_each_command_waits_for_its_reply()
    {
        await using var server = SmtpTestServer.Start(s => s
            .Expect("MAIL FROM:<a@example.test>").Send("250 2.1.0 Ok\r\n")
            .Expect("RCPT TO:<b@example.test>").Send("250 2.1.5 Ok\r\n")
            .Expect("DATA").Send("354 go\r\n")
            .ReadUntil("\r\n.\r\n").Send("250 2.0.0 Ok\r\n"), SmtpTestServer.EhloWithoutPipelining);
        await using (var client = await SmtpTestServer.ConnectAsync(server))
            await client.SendAsync("a@example.test", ["b@example.test"], SmtpTestServer.Message(Body));

        Assert.Equal($"EHLO localhost\r\nMAIL FROM:<a@example.test>\r\nRCPT TO:<b@example.test>\r\nDATA\r\n{Body}.\r\n", await server.ClientTextAsync());
    }

    [Fact]
    public async Task Lines_starting_with_a_dot_are_doubled_and_bare_lf_becomes_crlf()
    {
        await using var server = SmtpTestServer.Start(s => s.ReadLine().ReadLine().Send("250 Ok\r\n250 Ok\r\n")
            .Expect("DATA").Send("354 go\r\n").ReadUntil("\r\n.\r\n").Send("250 Ok\r\n"));
        await using (var client = await SmtpTestServer.ConnectAsync(server))
            await client.SendAsync("a@example.test", ["b@example.test"], SmtpTestServer.Message(".first\r\nmiddle\n..two\r\n.\r\nlast"));

        var transcript = await server.ClientTextAsync();
        Assert.EndsWith("DATA\r\n..first\r\nmiddle\r\n...two\r\n..\r\nlast\r\n.\r\n", transcript);
    }

    [Fact]
    public async Task Refused_recipients_are_reported_while_the_others_get_the_message()
    {
        await using var server = SmtpTestServer.Start(s => s.ReadLine().ReadLine().ReadLine().ReadLine()
            .Send("250 Ok\r\n250 Ok\r\n550 5.1.1 <nobody@example.test>: Recipient address rejected\r\n250 Ok\r\n")
            .Expect("DATA").Send("354 go\r\n").ReadUntil("\r\n.\r\n").Send("250 Ok\r\n"));
        await using var client = await SmtpTestServer.ConnectAsync(server);

        var result = await client.SendAsync("a@example.test", ["b@example.test", "nobody@example.test", "c@example.test"], SmtpTestServer.Message(Body));

        Assert.Equal(["b@example.test", "c@example.test"], result.AcceptedRecipients);
        var refusal = Assert.Single(result.RefusedRecipients);
        Assert.Equal("nobody@example.test", refusal.Address);
        Assert.Equal("5.1.1", refusal.Reply.EnhancedStatus);
    }

    [Fact]
    public async Task When_every_recipient_is_refused_the_transaction_is_reset_and_all_refusals_are_listed()
    {
        await using var server = SmtpTestServer.Start(s => s.ReadLine().ReadLine().ReadLine()
            .Send("250 Ok\r\n550 5.1.1 unknown\r\n450 4.2.1 mailbox busy\r\n")
            .Expect("RSET").Send("250 2.0.0 Ok\r\n"));
        await using (var client = await SmtpTestServer.ConnectAsync(server))
        {
            var error = await Assert.ThrowsAsync<SmtpCommandException>(() => client.SendAsync("a@example.test", ["x@example.test", "y@example.test"], SmtpTestServer.Message(Body)));

            Assert.Equal(SmtpStep.RcptTo, error.Step);
            Assert.Equal(["x@example.test", "y@example.test"], error.RefusedRecipients.Select(r => r.Address));
            Assert.Contains("y@example.test: 450 4.2.1 mailbox busy", error.Message);
            Assert.True(client.IsConnected);
        }

        Assert.EndsWith("RSET\r\n", await server.ClientTextAsync());
    }

    [Fact]
    public async Task When_every_recipient_is_refused_and_one_only_for_now_the_failure_is_transient()
    {
        await using var server = SmtpTestServer.Start(s => s.ReadLine().ReadLine().ReadLine()
            .Send("250 Ok\r\n550 5.1.1 unknown\r\n450 4.2.1 mailbox busy\r\n")
            .Expect("RSET").Send("250 2.0.0 Ok\r\n"));
        await using var client = await SmtpTestServer.ConnectAsync(server);

        var error = await Assert.ThrowsAsync<SmtpCommandException>(() => client.SendAsync("a@example.test", ["x@example.test", "y@example.test"], SmtpTestServer.Message(Body)));

        Assert.True(error.IsTransient);
        Assert.Equal(450, error.Reply.Code);
    }

    [Fact]
    public async Task Sender_refused_is_reported_after_reading_the_pipelined_rcpt_replies()
    {
        await using var server = SmtpTestServer.Start(s => s.ReadLine().ReadLine()
            .Send("550 5.7.60 SMTP; Client does not have permissions to send as this sender\r\n503 5.5.1 Need MAIL first\r\n")
            .Expect("NOOP").Send("250 Ok\r\n"));
        await using var client = await SmtpTestServer.ConnectAsync(server);

        var error = await Assert.ThrowsAsync<SmtpCommandException>(() => client.SendAsync("boss@example.test", ["b@example.test"], SmtpTestServer.Message(Body)));
        await client.NoOpAsync(); // the stray 503 was consumed: the next reply belongs to NOOP

        Assert.Equal(SmtpStep.MailFrom, error.Step);
        Assert.Contains("grant SendAs", error.Explanation);
    }

    [Fact]
    public async Task A_message_larger_than_the_server_size_is_refused_before_sending()
    {
        await using var server = SmtpTestServer.Start(_ => { }, "250-mail.test\r\n250 SIZE 100\r\n");
        await using (var client = await SmtpTestServer.ConnectAsync(server))
        {
            var error = await Assert.ThrowsAsync<SmtpCommandException>(() => client.SendAsync("a@example.test", ["b@example.test"], SmtpTestServer.Message(new string('x', 200))));

            Assert.Equal(552, error.Code);
            Assert.Contains("accepts at most 100", error.Message);
        }

        Assert.Equal("EHLO localhost\r\n", await server.ClientTextAsync());
    }

    [Fact]
    public async Task One_connection_sends_several_messages()
    {
        await using var server = SmtpTestServer.Start(s =>
        {
            for (var i = 0; i < 3; i++)
                s.ReadLine().ReadLine().Send("250 Ok\r\n250 Ok\r\n").Expect("DATA").Send("354 go\r\n").ReadUntil("\r\n.\r\n").Send($"250 Ok: queued as {i}\r\n");
        });
        await using var client = await SmtpTestServer.ConnectAsync(server);

        var replies = new List<string>();
        for (var i = 0; i < 3; i++)
            replies.Add((await client.SendAsync("a@example.test", ["b@example.test"], SmtpTestServer.Message(Body))).Reply.Text);

        Assert.Equal(["Ok: queued as 0", "Ok: queued as 1", "Ok: queued as 2"], replies);
    }

    [Fact]
    public async Task Daily_limit_after_data_is_a_command_failure_with_the_exchange_explanation()
    {
        await using var server = SmtpTestServer.Start(s => s.ReadLine().ReadLine().Send("250 Ok\r\n250 Ok\r\n").Expect("DATA").Send("354 go\r\n")
            .ReadUntil("\r\n.\r\n").Send("554 5.2.0 STOREDRV.Submission.Exception:SubmissionQuotaExceededException; Failed to process message due to a permanent exception\r\n"));
        await using var client = await SmtpTestServer.ConnectAsync(server);

        var error = await Assert.ThrowsAsync<SmtpCommandException>(() => client.SendAsync("a@example.test", ["b@example.test"], SmtpTestServer.Message(Body)));

        Assert.Equal(SmtpStep.Data, error.Step);
        Assert.False(error.IsTransient);
        Assert.Contains("sending limit", error.Explanation);
        Assert.True(client.IsConnected);
    }

    [Fact]
    public async Task A_server_dropping_the_connection_mid_data_raises_a_protocol_error_within_the_timeout()
    {
        var body = new byte[3 * 1024 * 1024];
        Array.Fill(body, (byte)'a');
        await using var server = SmtpTestServer.Start(s => s.ReadLine().ReadLine().Send("250 Ok\r\n250 Ok\r\n").Expect("DATA").Send("354 go\r\n").ReadBytes(100_000).Close());
        await using var client = await SmtpTestServer.ConnectAsync(server, TimeSpan.FromSeconds(5));
        var started = System.Diagnostics.Stopwatch.StartNew();

        await Assert.ThrowsAsync<MailProtocolException>(() => client.SendAsync("a@example.test", ["b@example.test"], new MemoryStream(body)));

        Assert.True(started.Elapsed < TimeSpan.FromSeconds(6), $"took {started.Elapsed}");
        Assert.False(client.IsConnected);
    }

    [Fact]
    public async Task A_server_that_stops_answering_after_data_times_out()
    {
        await using var server = SmtpTestServer.Start(s => s.ReadLine().ReadLine().Send("250 Ok\r\n250 Ok\r\n").Expect("DATA").Send("354 go\r\n").Hang());
        await using var client = await SmtpTestServer.ConnectAsync(server, TimeSpan.FromSeconds(1));

        var error = await Assert.ThrowsAsync<MailProtocolException>(() => client.SendAsync("a@example.test", ["b@example.test"], SmtpTestServer.Message(Body)));

        Assert.Contains("timed out waiting for the server after 1 s", error.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData("a@example.test\r\nRCPT TO:<evil@example.test>")]
    [InlineData("not-an-address")]
    [InlineData("<a@example.test>")]
    public async Task Invalid_envelope_addresses_are_refused_before_anything_is_sent(string recipient)
    {
        await using var server = SmtpTestServer.Start(_ => { });
        await using (var client = await SmtpTestServer.ConnectAsync(server))
            await Assert.ThrowsAsync<ArgumentException>(() => client.SendAsync("a@example.test", [recipient], SmtpTestServer.Message(Body)));

        Assert.Equal("EHLO localhost\r\n", await server.ClientTextAsync());
    }
}
