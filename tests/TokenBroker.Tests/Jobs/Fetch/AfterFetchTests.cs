using MailKit;
using MailKit.Search;
using TokenBroker.Tests.Jobs.Fetch.Support;

namespace TokenBroker.Tests.Jobs.Fetch;

public sealed class AfterFetchTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task After_fetch_seen_marks_the_delivered_messages_seen()
    {
        await using var harness = await FetchHarness.CreateAsync();
        using var receiver = new WebhookReceiver(harness.WebhookPort);
        await harness.AppendAsync("INBOX", 2);

        await harness.RunAsync(harness.WebhookRequest(afterFetch: "seen"), Ct);

        using var client = await harness.OpenImapAsync();
        await client.Inbox.OpenAsync(FolderAccess.ReadOnly, Ct);
        var unseen = await client.Inbox.SearchAsync(SearchQuery.NotSeen, Ct);
        Assert.Empty(unseen);
        Assert.Equal(2, receiver.Accepted.Count);
    }

    [Fact]
    public async Task After_fetch_move_moves_the_delivered_messages_to_the_folder()
    {
        await using var harness = await FetchHarness.CreateAsync();
        using var receiver = new WebhookReceiver(harness.WebhookPort);
        await harness.AppendAsync("INBOX", 2);

        await harness.RunAsync(harness.WebhookRequest(afterFetch: "move", moveTo: "Archive"), Ct);

        using var client = await harness.OpenImapAsync();
        await client.Inbox.OpenAsync(FolderAccess.ReadOnly, Ct);
        Assert.Equal(0, client.Inbox.Count);
        var archive = await client.GetFolderAsync("Archive", Ct);
        await archive.OpenAsync(FolderAccess.ReadOnly, Ct);
        Assert.Equal(2, archive.Count);
    }

    [Fact]
    public async Task A_pop3_fetch_with_delete_delivers_then_removes_the_messages_from_the_server()
    {
        await using var harness = await FetchHarness.CreateAsync();
        using var receiver = new WebhookReceiver(harness.WebhookPort);
        await harness.AppendAsync("INBOX", 3);

        await harness.RunAsync(harness.WebhookRequest(protocol: "pop3", afterFetch: "delete"), Ct);

        Assert.Equal(["Message 1", "Message 2", "Message 3"], receiver.Accepted.Select(d => WebhookFetchTests.Subject(d.Text)));
        using var client = await harness.OpenImapAsync();
        await client.Inbox.OpenAsync(FolderAccess.ReadOnly, Ct);
        Assert.Equal(0, client.Inbox.Count);
    }

    [Fact]
    public async Task A_second_pop3_fetch_without_delete_delivers_only_new_messages()
    {
        await using var harness = await FetchHarness.CreateAsync();
        using var receiver = new WebhookReceiver(harness.WebhookPort);
        await harness.AppendAsync("INBOX", 2, "Old");
        await harness.RunAsync(harness.WebhookRequest(protocol: "pop3"), Ct);
        await harness.AppendAsync("INBOX", 1, "New");

        await harness.RunAsync(harness.WebhookRequest(protocol: "pop3"), Ct);

        Assert.Equal(["Old 1", "Old 2", "New 1"], receiver.Accepted.Select(d => WebhookFetchTests.Subject(d.Text)));
    }
}
