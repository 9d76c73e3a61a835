using TokenBroker.Mail.Fetch;
using TokenBroker.Mail.Net;

namespace TokenBroker.Mail.Tests.Fetch;

/// <summary>What both fetchers refuse before connecting: nothing listens on the endpoints, so any connection attempt would fail differently.</summary>
public class MailFetcherArgumentTests
{
    private static readonly MailLogin Login = new("a@example.com", "token");
    private static readonly MailClientOptions Options = new() { ConnectTimeout = TimeSpan.FromSeconds(1) };

    private static IMailFetcher Fetcher(string url, MailFetchOptions? options = null) =>
        MailFetcher.Create(MailEndpoint.Parse(url), Options, Login, options);

    private static ValueTask Ignore(FetchedMail mail, CancellationToken cancellationToken) => ValueTask.CompletedTask;

    [Fact]
    public async Task An_imap_fetch_refuses_a_pop3_checkpoint_naming_both()
    {
        var error = await Assert.ThrowsAsync<ArgumentException>(() =>
            Fetcher("imaps://127.0.0.1:1").FetchAsync(Pop3Checkpoint.Empty, Ignore, cancellationToken: TestContext.Current.CancellationToken));

        Assert.StartsWith("An IMAP fetch needs an IMAP checkpoint, not Pop3Checkpoint.", error.Message);
        Assert.Equal("checkpoint", error.ParamName);
    }

    [Fact]
    public async Task A_pop3_fetch_refuses_an_imap_checkpoint_naming_both()
    {
        var error = await Assert.ThrowsAsync<ArgumentException>(() =>
            Fetcher("pop3s://127.0.0.1:1").FetchAsync(new ImapCheckpoint("INBOX", 1, 1), Ignore, cancellationToken: TestContext.Current.CancellationToken));

        Assert.StartsWith("A POP3 fetch needs a POP3 checkpoint, not ImapCheckpoint.", error.Message);
    }

    [Fact]
    public async Task A_pop3_fetch_refuses_an_imap_only_after_fetch_action()
    {
        var error = await Assert.ThrowsAsync<ArgumentException>(() =>
            Fetcher("pop3s://127.0.0.1:1", new MailFetchOptions { AfterFetch = AfterFetchAction.MarkSeen })
                .FetchAsync(null, Ignore, cancellationToken: TestContext.Current.CancellationToken));

        Assert.Equal("MarkSeen needs IMAP; POP3 can only leave or delete messages.", error.Message);
    }

    [Fact]
    public async Task A_fetch_without_a_message_handler_is_refused()
    {
        await Assert.ThrowsAsync<ArgumentNullException>(() =>
            Fetcher("imaps://127.0.0.1:1").FetchAsync(null, null!, cancellationToken: TestContext.Current.CancellationToken));
    }
}
