using System.Text;
using TokenBroker.Mail.Imap;
using static TokenBroker.Mail.Tests.Imap.ImapTranscript;

namespace TokenBroker.Mail.Tests.Imap;

public class ImapFetchTests
{
    private const string Message = "From: a@example.com\r\nSubject: test\r\n\r\nline one\r\n.leading dot\r\n{5}\r\n";

    private static async Task<List<(ImapFetchedMessage Message, byte[] Body)>> FetchAsync(ImapClient client, string set, ImapFetchItems items)
    {
        var fetched = new List<(ImapFetchedMessage, byte[])>();
        await client.UidFetchAsync(set, items, (message, _) =>
        {
            fetched.Add((message, message.Body is MemoryStream body ? body.ToArray() : []));
            return ValueTask.CompletedTask;
        }, cancellationToken: TestContext.Current.CancellationToken);
        return fetched;
    }

    [Fact]
    public async Task Uid_fetch_sends_the_item_list_and_reads_metadata_and_the_body_literal_byte_exact()
    {
        var (client, transport) = await StartAsync(Lines(DovecotGreeting,
            $"* 1 FETCH (UID 42 FLAGS (\\Seen $Label) INTERNALDATE \" 2-Jul-2026 10:11:12 +0200\" RFC822.SIZE {Message.Length} BODY[] {{{Message.Length}}}",
            Message + ")",
            "A1 OK Fetch completed."));

        var fetched = await FetchAsync(client, "42", ImapFetchItems.All);

        Assert.Equal("A1 UID FETCH 42 (UID FLAGS INTERNALDATE RFC822.SIZE BODY.PEEK[])\r\n", transport.Written);
        var (message, body) = Assert.Single(fetched);
        Assert.Equal((42u, 1u, (long?)Message.Length), (message.Uid, message.SequenceNumber, message.Size));
        Assert.Equal(["\\Seen", "$Label"], message.Flags);
        Assert.Equal(new DateTimeOffset(2026, 7, 2, 10, 11, 12, TimeSpan.FromHours(2)), message.InternalDate);
        Assert.Equal(Message, Encoding.ASCII.GetString(body));
    }

    [Fact]
    public async Task Items_after_the_body_and_in_any_order_are_still_read()
    {
        var (client, _) = await StartAsync(Lines(DovecotGreeting,
            $"* 3 FETCH (BODY[] {{{Message.Length}}}", Message + " FLAGS (\\Deleted) UID 9 MODSEQ (12345))",
            "A1 OK Fetch completed."));

        var (message, body) = Assert.Single(await FetchAsync(client, "9", ImapFetchItems.All));

        Assert.Equal(9u, message.Uid);
        Assert.Equal(["\\Deleted"], message.Flags);
        Assert.Equal(Message.Length, body.Length);
    }

    [Fact]
    public async Task Several_messages_each_reach_the_callback_with_their_own_body()
    {
        var (client, _) = await StartAsync(Lines(DovecotGreeting,
            "* 1 FETCH (UID 1 BODY[] {3}", "abc)",
            "* 2 FETCH (UID 2 BODY[] {0}", ")",
            "* 3 FETCH (UID 3 BODY[] \"xy\")",
            "* 4 FETCH (UID 4 BODY[] NIL)",
            "A1 OK Fetch completed."));

        var fetched = await FetchAsync(client, "1:*", ImapFetchItems.Body);

        Assert.Equal([1u, 2u, 3u, 4u], fetched.Select(f => f.Message.Uid));
        Assert.Equal(["abc", "", "xy", ""], fetched.Select(f => Encoding.ASCII.GetString(f.Body)));
    }

    [Fact]
    public async Task Body_literals_go_to_the_callers_sink_not_into_a_client_buffer()
    {
        var payload = new string('x', 300_000);
        var (client, _) = await StartAsync(Lines(DovecotGreeting,
            $"* 1 FETCH (UID 5 BODY[] {{{payload.Length}}}", payload + ")", "A1 OK done"));
        var sinks = new List<(long Length, MemoryStream Sink)>();

        ImapFetchedMessage? received = null;
        await client.UidFetchAsync("5", ImapFetchItems.Body, (message, _) => { received = message; return ValueTask.CompletedTask; },
            length => { var sink = new MemoryStream(); sinks.Add((length, sink)); return sink; },
            TestContext.Current.CancellationToken);

        var (announced, stream) = Assert.Single(sinks);
        Assert.Equal(payload.Length, announced);
        Assert.Same(stream, received!.Body);
        Assert.Equal(payload.Length, stream.Length);
    }

    [Fact]
    public async Task Unsolicited_fetch_without_uid_is_ignored()
    {
        var (client, _) = await StartAsync(Lines(DovecotGreeting,
            "* 2 FETCH (FLAGS (\\Seen))", "* 1 FETCH (UID 7 FLAGS ())", "A1 OK done"));
        var fetched = await FetchAsync(client, "7", ImapFetchItems.Flags);
        Assert.Equal(7u, Assert.Single(fetched).Message.Uid);
    }

    [Fact]
    public async Task A_connection_dropped_in_the_middle_of_a_body_literal_is_a_protocol_error()
    {
        var (client, _) = await StartAsync(DovecotGreeting + "\r\n* 1 FETCH (UID 1 BODY[] {1000}\r\n" + new string('x', 400));
        await Assert.ThrowsAsync<MailProtocolException>(() => FetchAsync(client, "1", ImapFetchItems.Body));
    }

    [Fact]
    public async Task A_malformed_fetch_response_is_a_protocol_error_showing_it()
    {
        var (client, _) = await StartAsync(Lines(DovecotGreeting, "* 1 FETCH (UID x)", "A1 OK done"));
        var error = await Assert.ThrowsAsync<MailProtocolException>(() => FetchAsync(client, "1", ImapFetchItems.Flags));
        Assert.Contains("* 1 FETCH (UID x)", error.Message);
    }

    [Fact]
    public async Task A_callback_that_throws_mid_fetch_leaves_the_session_unusable_rather_than_misaligned()
    {
        var (client, _) = await StartAsync(Lines(DovecotGreeting,
            "* 1 FETCH (UID 1 BODY[] {3}", "abc)", "* 2 FETCH (UID 2 BODY[] {3}", "def)", "A1 OK done", "A2 OK NOOP completed."));

        await Assert.ThrowsAsync<IOException>(() => client.UidFetchAsync("1:2", ImapFetchItems.Body,
            (_, _) => throw new IOException("disk full"), cancellationToken: TestContext.Current.CancellationToken));

        var error = await Assert.ThrowsAsync<MailProtocolException>(() => client.NoopAsync(TestContext.Current.CancellationToken));
        Assert.Contains("UID FETCH was interrupted (IOException: disk full)", error.Message);
    }

    [Fact]
    public async Task A_failed_command_leaves_the_session_usable()
    {
        var (client, _) = await StartAsync(Lines(DovecotGreeting, "A1 NO [NONEXISTENT] Unknown Mailbox", "A2 OK NOOP completed."));
        await Assert.ThrowsAsync<MailCommandException>(() => client.SelectAsync("Nope", cancellationToken: TestContext.Current.CancellationToken));
        await client.NoopAsync(TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task The_sink_of_an_unsolicited_body_without_uid_is_released()
    {
        var (client, _) = await StartAsync(Lines(DovecotGreeting, "* 4 FETCH (BODY[] {3}", "abc)", "A1 OK done"));
        var sinks = new List<MemoryStream>();

        await client.UidFetchAsync("1", ImapFetchItems.Body, (_, _) => ValueTask.CompletedTask,
            _ => { var sink = new MemoryStream(); sinks.Add(sink); return sink; }, TestContext.Current.CancellationToken);

        Assert.False(Assert.Single(sinks).CanRead); // disposed
    }
}
