using TokenBroker.Mail.Smtp;

namespace TokenBroker.Mail.Tests.Submission;

/// <summary>Sending through MailKit with the broker's rules, against canned server transcripts.</summary>
public class SubmissionSendTests
{
    private const string Envelope2 = "250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n";

    [Fact]
    public async Task Pipelining_sends_mail_from_and_every_rcpt_to_in_one_batch()
    {
        // The server answers only after it has all three commands: a client that waited for each reply would time out.
        await using var server = SubmissionTestServer.Start(s => s
            .Expect("MAIL FROM:<a@example.test>").Expect("RCPT TO:<b@example.test>").Expect("RCPT TO:<c@example.test>")
            .Send("250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n250 2.1.5 Ok\r\n")
            .Expect("DATA").Send("354 End data with <CR><LF>.<CR><LF>\r\n")
            .ReadUntil("\r\n.\r\n").Send("250 2.0.0 Ok: queued as 4F2\r\n"));
        using var client = await SubmissionTestServer.ConnectAsync(server, TimeSpan.FromSeconds(5));

        var result = await client.SendMessageAsync(SubmissionTestServer.Message(["b@example.test", "c@example.test"]), TestContext.Current.CancellationToken);

        Assert.Equal(["b@example.test", "c@example.test"], result.AcceptedRecipients);
        Assert.Equal("2.0.0", result.Reply.EnhancedStatus);
        Assert.Equal("Ok: queued as 4F2", result.Reply.Text);
    }

    [Fact]
    public async Task Refused_recipients_are_reported_while_the_others_get_the_message()
    {
        await using var server = SubmissionTestServer.Start(s => s.ReadLine().ReadLine().ReadLine().ReadLine()
            .Send("250 Ok\r\n250 Ok\r\n550 5.1.1 <nobody@example.test>: Recipient address rejected\r\n250 Ok\r\n")
            .Expect("DATA").Send("354 go\r\n").ReadUntil("\r\n.\r\n").Send("250 Ok\r\n"));
        using var client = await SubmissionTestServer.ConnectAsync(server);

        var result = await client.SendMessageAsync(SubmissionTestServer.Message(["b@example.test", "nobody@example.test", "c@example.test"]), TestContext.Current.CancellationToken);

        Assert.Equal(["b@example.test", "c@example.test"], result.AcceptedRecipients);
        var refusal = Assert.Single(result.RefusedRecipients);
        Assert.Equal("nobody@example.test", refusal.Address);
        Assert.Equal(550, refusal.Reply.Code);
        Assert.Equal("5.1.1", refusal.Reply.EnhancedStatus);
    }

    [Fact]
    public async Task When_every_recipient_is_refused_the_transaction_is_reset_all_refusals_are_listed_and_the_connection_stays()
    {
        await using var server = SubmissionTestServer.Start(s => s.ReadLine().ReadLine().ReadLine()
            .Send("250 Ok\r\n550 5.1.1 unknown\r\n550 5.1.1 unknown too\r\n")
            .Expect("RSET").Send("250 2.0.0 Ok\r\n")
            .Expect("RSET").Send("250 2.0.0 Ok\r\n"));
        using (var client = await SubmissionTestServer.ConnectAsync(server))
        {
            var error = await Assert.ThrowsAsync<SmtpCommandException>(() => client.SendMessageAsync(SubmissionTestServer.Message(["x@example.test", "y@example.test"])));

            Assert.Equal(SmtpStep.RcptTo, error.Step);
            Assert.False(error.IsTransient);
            Assert.Equal(["x@example.test", "y@example.test"], error.RefusedRecipients.Select(r => r.Address));
            Assert.Contains("y@example.test: 550 5.1.1 unknown too", error.Message);
            Assert.True(client.IsConnected);
            await client.ResetAsync(TestContext.Current.CancellationToken); // the next reply belongs to the next command
        }

        Assert.EndsWith("RSET\r\nRSET\r\n", await server.ClientTextAsync());
    }

    [Fact]
    public async Task When_every_recipient_is_refused_and_one_only_for_now_the_failure_is_transient()
    {
        await using var server = SubmissionTestServer.Start(s => s.ReadLine().ReadLine().ReadLine()
            .Send("250 Ok\r\n550 5.1.1 unknown\r\n450 4.2.1 mailbox busy\r\n")
            .Expect("RSET").Send("250 2.0.0 Ok\r\n"));
        using var client = await SubmissionTestServer.ConnectAsync(server);

        var error = await Assert.ThrowsAsync<SmtpCommandException>(() => client.SendMessageAsync(SubmissionTestServer.Message(["x@example.test", "y@example.test"])));

        Assert.True(error.IsTransient);
        Assert.Equal(450, error.Code);
        Assert.Equal("4.2.1", error.EnhancedStatus);
    }

    [Fact]
    public async Task A_refused_sender_carries_the_enhanced_status_and_the_exchange_explanation()
    {
        await using var server = SubmissionTestServer.Start(s => s.ReadLine().ReadLine()
            .Send("550 5.7.60 SMTP; Client does not have permissions to send as this sender\r\n503 5.5.1 Need MAIL first\r\n")
            .Expect("RSET").Send("250 Ok\r\n").Expect("RSET").Send("250 Ok\r\n"));
        using var client = await SubmissionTestServer.ConnectAsync(server);

        var error = await Assert.ThrowsAsync<SmtpCommandException>(() => client.SendMessageAsync(SubmissionTestServer.Message(["b@example.test"])));
        await client.ResetAsync(TestContext.Current.CancellationToken); // the stray 503 was consumed: the next reply belongs to our RSET

        Assert.Equal(SmtpStep.MailFrom, error.Step);
        Assert.Equal("5.7.60", error.EnhancedStatus);
        Assert.Contains("grant SendAs", error.Explanation);
    }

    [Fact]
    public async Task One_connection_sends_several_messages()
    {
        await using var server = SubmissionTestServer.Start(s =>
        {
            for (var i = 0; i < 3; i++)
                s.ReadLine().ReadLine().Send(Envelope2).Expect("DATA").Send("354 go\r\n").ReadUntil("\r\n.\r\n").Send($"250 Ok: queued as {i}\r\n");
        });
        using var client = await SubmissionTestServer.ConnectAsync(server);

        var replies = new List<string>();
        for (var i = 0; i < 3; i++)
            replies.Add((await client.SendMessageAsync(SubmissionTestServer.Message(["b@example.test"]), TestContext.Current.CancellationToken)).Reply.Text);

        Assert.Equal(["Ok: queued as 0", "Ok: queued as 1", "Ok: queued as 2"], replies);
    }

    [Fact]
    public async Task Daily_limit_after_data_is_a_command_failure_with_the_exchange_explanation()
    {
        await using var server = SubmissionTestServer.Start(s => s.ReadLine().ReadLine().Send(Envelope2).Expect("DATA").Send("354 go\r\n")
            .ReadUntil("\r\n.\r\n").Send("554 5.2.0 STOREDRV.Submission.Exception:SubmissionQuotaExceededException; Failed to process message due to a permanent exception\r\n")
            .Expect("RSET").Send("250 Ok\r\n"));
        using var client = await SubmissionTestServer.ConnectAsync(server);

        var error = await Assert.ThrowsAsync<SmtpCommandException>(() => client.SendMessageAsync(SubmissionTestServer.Message(["b@example.test"])));

        Assert.Equal(SmtpStep.Data, error.Step);
        Assert.False(error.IsTransient);
        Assert.Equal("5.2.0", error.EnhancedStatus);
        Assert.Contains("sending limit", error.Explanation);
        Assert.True(client.IsConnected);
    }

    [Fact]
    public async Task A_server_dropping_the_connection_mid_data_raises_a_protocol_error_within_the_timeout()
    {
        await using var server = SubmissionTestServer.Start(s => s.ReadLine().ReadLine().Send(Envelope2).Expect("DATA").Send("354 go\r\n").ReadBytes(100_000).Close());
        using var client = await SubmissionTestServer.ConnectAsync(server, TimeSpan.FromSeconds(5));
        var started = System.Diagnostics.Stopwatch.StartNew();

        await Assert.ThrowsAsync<MailProtocolException>(() => client.SendMessageAsync(SubmissionTestServer.Message(["b@example.test"], new string('a', 3 * 1024 * 1024))));

        Assert.True(started.Elapsed < TimeSpan.FromSeconds(6), $"took {started.Elapsed}");
        Assert.False(client.IsConnected);
    }

    [Fact]
    public async Task A_server_that_stops_answering_after_data_times_out()
    {
        await using var server = SubmissionTestServer.Start(s => s.ReadLine().ReadLine().Send(Envelope2).Expect("DATA").Send("354 go\r\n").Hang());
        using var client = await SubmissionTestServer.ConnectAsync(server, TimeSpan.FromSeconds(1));
        var started = System.Diagnostics.Stopwatch.StartNew();

        await Assert.ThrowsAsync<MailProtocolException>(() => client.SendMessageAsync(SubmissionTestServer.Message(["b@example.test"])));

        Assert.True(started.Elapsed < TimeSpan.FromSeconds(5), $"took {started.Elapsed}");
    }

    [Fact]
    public async Task With_chunking_turned_on_the_body_goes_as_bdat_without_a_dot()
    {
        await using var server = SubmissionTestServer.Start(s => s.ReadLine().ReadLine().Send(Envelope2)
            .ReadUntil("hello\r\n").Send("250 2.0.0 Ok: queued\r\n"), SubmissionTestServer.EhloWithChunking);
        using (var client = await SubmissionTestServer.ConnectAsync(server, TimeSpan.FromSeconds(5)))
        {
            client.UseChunking = true;
            await client.SendMessageAsync(SubmissionTestServer.Message(["b@example.test"]), TestContext.Current.CancellationToken);
        }

        var transcript = await server.ClientTextAsync();
        Assert.Matches(@"\r\nBDAT \d+ LAST\r\n", transcript);
        Assert.DoesNotContain("\r\nDATA\r\n", transcript);
    }

    [Fact]
    public async Task Chunking_can_be_turned_off_to_use_data()
    {
        await using var server = SubmissionTestServer.Start(s => s.ReadLine().ReadLine().Send(Envelope2)
            .Expect("DATA").Send("354 go\r\n").ReadUntil("\r\n.\r\n").Send("250 Ok\r\n"), SubmissionTestServer.EhloWithChunking);
        using (var client = await SubmissionTestServer.ConnectAsync(server, TimeSpan.FromSeconds(5)))
        {
            client.UseChunking = false;
            await client.SendMessageAsync(SubmissionTestServer.Message(["b@example.test"]), TestContext.Current.CancellationToken);
        }

        Assert.DoesNotContain("BDAT", await server.ClientTextAsync());
    }

    [Fact]
    public async Task Exchange_concurrent_connection_limit_at_greeting_is_a_transient_refusal_with_an_explanation()
    {
        await using var server = ScriptedServerStartGreeting("432 4.3.2 Concurrent connections limit exceeded. Visit https://aka.ms/concurrent_sending for more information.\r\n");

        var error = await Assert.ThrowsAsync<SmtpCommandException>(() => new SmtpSubmission(Support.ScriptedServer.ClientOptions())
            .OpenAsync(server.Endpoint("smtps"), new TokenBroker.Mail.Sasl.XOAuth2SaslMechanism("a@example.test", "header.payload.signature"), TestContext.Current.CancellationToken));

        Assert.Equal(SmtpStep.Connect, error.Step);
        Assert.True(error.IsTransient);
        Assert.Equal("4.3.2", error.EnhancedStatus);
        Assert.Contains("3 concurrent SMTP connections", error.Explanation);
    }

    private static Support.ScriptedServer ScriptedServerStartGreeting(string greeting) =>
        Support.ScriptedServer.Start(s => s.StartTls().Send(greeting));

    [Fact]
    public async Task Bcc_recipients_get_rcpt_to_but_no_header()
    {
        await using var server = SubmissionTestServer.Start(s => s.ReadLine().ReadLine().ReadLine().Send("250 Ok\r\n250 Ok\r\n250 Ok\r\n")
            .Expect("DATA").Send("354 go\r\n").ReadUntil("\r\n.\r\n").Send("250 Ok\r\n"));
        var message = SubmissionTestServer.Message(["b@example.test"]);
        message.Bcc.Add(MimeKit.MailboxAddress.Parse("hidden@example.test"));
        using (var client = await SubmissionTestServer.ConnectAsync(server))
            await client.SendMessageAsync(message, TestContext.Current.CancellationToken);

        var transcript = await server.ClientTextAsync();
        Assert.Contains("RCPT TO:<hidden@example.test>", transcript);
        Assert.DoesNotContain("Bcc:", transcript, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("hidden@example.test>\r\n\r\n", transcript);
    }
}
