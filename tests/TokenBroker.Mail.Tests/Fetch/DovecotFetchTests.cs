using TokenBroker.Mail.Fetch;
using MailKit;
using TokenBroker.Mail.Net;
using TokenBroker.Mail.Tests.Support;
using TokenBroker.Testing;

namespace TokenBroker.Mail.Tests.Fetch;

/// <summary>The fetch facade against the real Dovecot of infra/local/peers.</summary>
public class DovecotFetchTests
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private sealed class Collector
    {
        public List<(FetchedMail Mail, byte[] Bytes)> Received { get; } = [];
        public List<MailCheckpoint> Checkpoints { get; } = [];

        public async ValueTask OnMessage(FetchedMail mail, CancellationToken cancellationToken)
        {
            var copy = new MemoryStream();
            await mail.Content.CopyToAsync(copy, cancellationToken);
            Received.Add((mail, copy.ToArray()));
        }

        public ValueTask OnCheckpoint(MailCheckpoint checkpoint, CancellationToken cancellationToken)
        {
            Checkpoints.Add(checkpoint);
            return ValueTask.CompletedTask;
        }
    }

    private static IMailFetcher Fetcher(MailEndpoint endpoint, DovecotMailbox mailbox, MailFetchOptions? options = null) =>
        MailFetcher.Create(endpoint, MailPeers.ClientOptions(), mailbox.Login(), options);

    [Fact]
    public async Task Imap_fetch_after_a_checkpoint_returns_only_newer_messages_byte_exact()
    {
        var mailbox = await DovecotMailbox.CreateAsync("fetch-incr");
        var large = TestMessages.WithLargeAttachment(2 * 1024 * 1024); // spooled to a temporary file
        var first = await mailbox.AppendAsync(TestMessages.Simple("one"), large);
        var fetcher = Fetcher(MailPeers.Imaps, mailbox);

        var initial = new Collector();
        var result = await fetcher.FetchAsync(null, initial.OnMessage, initial.OnCheckpoint, Cancel);

        Assert.Equal(first.Select(uid => uid.ToString(System.Globalization.CultureInfo.InvariantCulture)), initial.Received.Select(r => r.Mail.Id));
        Assert.Equal(large, initial.Received[1].Bytes);
        Assert.Equal(large.Length, initial.Received[1].Mail.Size);
        var checkpoint = Assert.IsType<ImapCheckpoint>(result.Checkpoint);
        Assert.Equal(first[1], checkpoint.LastUid);
        Assert.Equal(checkpoint, initial.Checkpoints[^1]);

        var later = await mailbox.AppendAsync(TestMessages.Simple("three"), TestMessages.Simple("four"));
        var next = new Collector();
        var nextResult = await fetcher.FetchAsync(checkpoint, next.OnMessage, cancellationToken: Cancel);

        Assert.Equal(later, next.Received.Select(r => r.Mail.Uid!.Value));
        Assert.Equal(later[1], ((ImapCheckpoint)nextResult.Checkpoint).LastUid);

        var none = new Collector();
        var noneResult = await fetcher.FetchAsync(nextResult.Checkpoint, none.OnMessage, cancellationToken: Cancel);
        Assert.Empty(none.Received);
        Assert.Equal(nextResult.Checkpoint, noneResult.Checkpoint);
    }

    [Fact]
    public async Task A_failing_callback_leaves_the_checkpoint_before_that_message_so_nothing_is_lost()
    {
        var mailbox = await DovecotMailbox.CreateAsync("fetch-crash");
        var uids = await mailbox.AppendAsync(TestMessages.Simple("a"), TestMessages.Simple("b"), TestMessages.Simple("c"));
        var fetcher = Fetcher(MailPeers.Imaps, mailbox);
        MailCheckpoint? saved = null;
        var calls = 0;

        await Assert.ThrowsAsync<IOException>(() => fetcher.FetchAsync(null, (_, _) =>
            ++calls == 2 ? throw new IOException("disk full") : ValueTask.CompletedTask,
            (checkpoint, _) => { saved = checkpoint; return ValueTask.CompletedTask; }, Cancel));

        Assert.Equal(uids[0], ((ImapCheckpoint)saved!).LastUid);
        var resumed = new Collector();
        await fetcher.FetchAsync(saved, resumed.OnMessage, cancellationToken: Cancel);
        Assert.Equal(uids[1..], resumed.Received.Select(r => r.Mail.Uid!.Value));
    }

    [Fact]
    public async Task A_changed_uidvalidity_is_reported_and_everything_is_fetched_again()
    {
        var mailbox = await DovecotMailbox.CreateAsync("fetch-validity");
        var uids = await mailbox.AppendAsync(TestMessages.Simple("a"), TestMessages.Simple("b"));
        var fetcher = Fetcher(MailPeers.Imaps, mailbox);
        var first = await fetcher.FetchAsync(null, (_, _) => ValueTask.CompletedTask, cancellationToken: Cancel);
        var stale = (ImapCheckpoint)first.Checkpoint with { UidValidity = ((ImapCheckpoint)first.Checkpoint).UidValidity - 1 };

        var again = new Collector();
        var result = await fetcher.FetchAsync(stale, again.OnMessage, cancellationToken: Cancel);

        Assert.True(result.UidValidityChanged);
        Assert.Equal(stale.UidValidity, result.PreviousUidValidity);
        Assert.Equal(uids, again.Received.Select(r => r.Mail.Uid!.Value));
    }

    [Fact]
    public async Task Fetched_messages_can_be_moved_to_a_folder()
    {
        var mailbox = await DovecotMailbox.CreateAsync("fetch-move");
        await mailbox.AppendAsync(TestMessages.Simple("a"), TestMessages.Simple("b"));
        var fetcher = Fetcher(MailPeers.Imap, mailbox, new MailFetchOptions { AfterFetch = AfterFetchAction.MoveToFolder, MoveToFolder = "Archive" });

        var result = await fetcher.FetchAsync(null, (_, _) => ValueTask.CompletedTask, cancellationToken: Cancel);

        Assert.Equal(2, result.DeliveredCount);
        using var client = await TestImap.OpenAsync(MailPeers.Imaps, MailPeers.ClientOptions(), mailbox.Login());
        await client.Inbox.OpenAsync(FolderAccess.ReadOnly, Cancel);
        Assert.Equal(0, client.Inbox.Count);
        var archive = await client.GetFolderAsync("Archive", Cancel);
        await archive.OpenAsync(FolderAccess.ReadOnly, Cancel);
        Assert.Equal(2, archive.Count);
    }

    [Fact]
    public async Task Fetched_messages_can_be_marked_seen_and_otherwise_stay_unseen()
    {
        var mailbox = await DovecotMailbox.CreateAsync("fetch-seen");
        await mailbox.AppendAsync(TestMessages.Simple("a"));

        var untouched = new Collector();
        await Fetcher(MailPeers.Imaps, mailbox, new MailFetchOptions { IncludeFlags = true }).FetchAsync(null, untouched.OnMessage, cancellationToken: Cancel);
        Assert.DoesNotContain("\\Seen", untouched.Received[0].Mail.Flags);

        await Fetcher(MailPeers.Imaps, mailbox, new MailFetchOptions { AfterFetch = AfterFetchAction.MarkSeen })
            .FetchAsync(null, (_, _) => ValueTask.CompletedTask, cancellationToken: Cancel);

        var seen = new Collector();
        await Fetcher(MailPeers.Imaps, mailbox, new MailFetchOptions { IncludeFlags = true }).FetchAsync(null, seen.OnMessage, cancellationToken: Cancel);
        Assert.Contains("\\Seen", seen.Received[0].Mail.Flags);
    }

    [Fact]
    public async Task Pop3_fetch_skips_delivered_uidls_and_can_delete_what_it_delivered()
    {
        var mailbox = await DovecotMailbox.CreateAsync("fetch-pop");
        var message = TestMessages.Simple("pop one");
        await mailbox.AppendAsync(message);
        var keep = Fetcher(MailPeers.Pop3, mailbox);

        var first = new Collector();
        var result = await keep.FetchAsync(null, first.OnMessage, first.OnCheckpoint, Cancel);
        Assert.Equal(message, Assert.Single(first.Received).Bytes);
        Assert.Single(((Pop3Checkpoint)result.Checkpoint).DeliveredUidls);

        await mailbox.AppendAsync(TestMessages.Simple("pop two"));
        var second = new Collector();
        var secondResult = await keep.FetchAsync(result.Checkpoint, second.OnMessage, cancellationToken: Cancel);
        Assert.Contains("pop two", System.Text.Encoding.ASCII.GetString(Assert.Single(second.Received).Bytes));

        var delete = Fetcher(MailPeers.Pop3s, mailbox, new MailFetchOptions { AfterFetch = AfterFetchAction.Delete });
        var third = new Collector();
        await delete.FetchAsync(secondResult.Checkpoint, third.OnMessage, cancellationToken: Cancel);
        Assert.Empty(third.Received);
        Assert.Empty(Maildir.For(mailbox.User).List());
    }

    [Theory]
    [InlineData("imaps")]
    [InlineData("pop3s")]
    public async Task A_5_MB_message_with_non_ascii_names_is_fetched_byte_exact(string scheme)
    {
        var mailbox = await DovecotMailbox.CreateAsync("fetch-5mb");
        var message = TestMessages.WithLargeAttachment(5 * 1024 * 1024);
        await mailbox.AppendAsync(message);
        var collector = new Collector();

        await Fetcher(scheme == "imaps" ? MailPeers.Imaps : MailPeers.Pop3s, mailbox).FetchAsync(null, collector.OnMessage, cancellationToken: Cancel);

        var (mail, bytes) = Assert.Single(collector.Received);
        Assert.Equal(message, bytes);
        Assert.Equal(message.Length, mail.Size);
    }

    [Theory]
    [InlineData("imaps")]
    [InlineData("pop3s")]
    public async Task A_message_over_the_size_cap_is_refused_unread_after_the_smaller_ones_before_it(string scheme)
    {
        var mailbox = await DovecotMailbox.CreateAsync("fetch-cap");
        await mailbox.AppendAsync(TestMessages.Simple("small"), TestMessages.WithLargeAttachment(300 * 1024), TestMessages.Simple("after"));
        var collector = new Collector();
        var fetcher = Fetcher(scheme == "imaps" ? MailPeers.Imaps : MailPeers.Pop3s, mailbox, new MailFetchOptions { MaxMessageBytes = 100 * 1024 });

        var refused = await Assert.ThrowsAsync<MailMessageTooLargeException>(() => fetcher.FetchAsync(null, collector.OnMessage, collector.OnCheckpoint, Cancel));

        Assert.Contains("over the limit of 102400 bytes (MaxMessageBytes)", refused.Message);
        Assert.True(refused.Size > 300 * 1024);
        Assert.Contains("small", System.Text.Encoding.ASCII.GetString(Assert.Single(collector.Received).Bytes));
        Assert.Single(collector.Checkpoints);
    }
}
