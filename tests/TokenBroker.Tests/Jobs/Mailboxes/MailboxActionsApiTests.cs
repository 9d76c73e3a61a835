using System.CommandLine;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using TokenBroker.Callers;
using TokenBroker.Cli;
using TokenBroker.Functions;
using TokenBroker.Queues;
using TokenBroker.Store;
using TokenBroker.Testing;
using TokenBroker.Tests.Callers;
using TokenBroker.Tests.Hosting.Support;
using TokenBroker.Tests.Jobs.Mail.Support;

namespace TokenBroker.Tests.Jobs.Mailboxes;

/// <summary>The mailbox actions, events and queue APIs and their CLI, against a standalone broker and the identity server.</summary>
public sealed class MailboxActionsApiTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task<(RunningBroker Broker, string Mailbox)> ConnectedAsync(string purpose)
    {
        var (settings, data) = MailBrokerPeers.NewBroker(purpose);
        var broker = await MailBrokerPeers.StartAsync(settings, data);
        var mailbox = Maildir.UniqueAddress(purpose);
        await MailBrokerPeers.ConsentAsync(broker.Client.BaseAddress!, mailbox, Ct, "imap,smtp");
        return (broker, mailbox);
    }

    private static async Task<JsonElement> PostAsync(HttpClient client, string path, HttpStatusCode expected)
    {
        using var response = await client.PostAsync(path, null, Ct);
        var body = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.StatusCode == expected, $"{path} answered {(int)response.StatusCode}: {body}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    [Fact]
    public async Task A_disabled_mailbox_hands_out_no_token_until_it_is_enabled_again()
    {
        var (broker, mailbox) = await ConnectedAsync("api-disable");
        await using var _ = broker;

        var disabled = await PostAsync(broker.Client, $"/api/mailboxes/{mailbox}/disable", HttpStatusCode.OK);
        Assert.Equal("Disabled", disabled.GetProperty("state").GetString());
        using (var refused = await broker.Client.GetAsync($"/api/mailboxes/{mailbox}/token", Ct))
            Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);

        var enabled = await PostAsync(broker.Client, $"/api/mailboxes/{mailbox}/enable", HttpStatusCode.OK);
        Assert.Equal("Connected", enabled.GetProperty("state").GetString());
        using var served = await broker.Client.GetAsync($"/api/mailboxes/{mailbox}/token", Ct);
        Assert.Equal(HttpStatusCode.OK, served.StatusCode);
    }

    [Fact]
    public async Task Disabling_a_mailbox_puts_a_state_change_event_on_broker_events()
    {
        var (broker, mailbox) = await ConnectedAsync("api-disable-event");
        await using var _ = broker;

        await PostAsync(broker.Client, $"/api/mailboxes/{mailbox}/disable", HttpStatusCode.OK);

        var queued = await broker.Services.GetRequiredService<IQueueTransport>().PeekAsync(RefreshTokensFunction.EventsQueueName, 32, Ct);
        var change = queued.Select(m => JsonDocument.Parse(m.Text).RootElement)
            .Single(e => e.GetProperty("mailbox").GetString() == mailbox);
        Assert.Equal("Connected", change.GetProperty("from").GetString());
        Assert.Equal("Disabled", change.GetProperty("to").GetString());
    }

    [Fact]
    public async Task Refresh_now_of_a_disabled_mailbox_is_refused_with_a_sentence()
    {
        var (broker, mailbox) = await ConnectedAsync("api-refresh-disabled");
        await using var _ = broker;
        await PostAsync(broker.Client, $"/api/mailboxes/{mailbox}/disable", HttpStatusCode.OK);

        var problem = await PostAsync(broker.Client, $"/api/mailboxes/{mailbox}/refresh", HttpStatusCode.Conflict);

        Assert.Contains("enable it first", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Remove_deletes_the_mailbox_record_and_its_tokens()
    {
        var (broker, mailbox) = await ConnectedAsync("api-remove");
        await using var _ = broker;
        var registry = broker.Services.GetRequiredService<IMailboxRegistry>();
        var account = (await registry.GetAsync(mailbox, Ct))!.Value.HomeAccountId!;

        using var response = await broker.Client.DeleteAsync($"/api/mailboxes/{mailbox}", Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Null(await registry.GetAsync(mailbox, Ct));
        Assert.Null(await broker.Services.GetRequiredService<ITokenCacheStore>().ReadAsync(account, Ct));
    }

    [Theory]
    [InlineData("imap")]
    [InlineData("smtp")]
    public async Task Probe_logs_in_to_the_configured_server_with_the_mailboxs_token(string protocol)
    {
        var (broker, mailbox) = await ConnectedAsync("api-probe-" + protocol);
        await using var _ = broker;

        var report = await PostAsync(broker.Client, $"/api/mailboxes/{mailbox}/probe?protocol={protocol}", HttpStatusCode.OK);

        Assert.True(report.GetProperty("succeeded").GetBoolean(), report.ToString());
        Assert.Equal(protocol, report.GetProperty("protocol").GetString());
        Assert.DoesNotContain(await broker.Services.GetRequiredService<TokenBroker.OAuth.IMailboxTokenProvider>().GetAccessTokenAsync(mailbox, Ct) is var token ? token.AccessToken : "", report.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Removal_is_a_delete_not_a_post()
    {
        var (broker, mailbox) = await ConnectedAsync("api-remove-post");
        await using var _ = broker;

        await PostAsync(broker.Client, $"/api/mailboxes/{mailbox}/remove", HttpStatusCode.NotFound);

        Assert.NotNull(await broker.Services.GetRequiredService<IMailboxRegistry>().GetAsync(mailbox, Ct));
    }

    [Fact]
    public async Task A_client_without_admin_on_the_mailbox_may_not_refresh_it()
    {
        var (broker, mailbox) = await ConnectedAsync("api-refresh-forbidden");
        await using var _ = broker;
        var secret = await CallerTesting.AddClientAsync(broker.Services.GetRequiredService<IClientRegistry>(), "reader", mailbox, "status");
        using var reader = broker.AnonymousClient();
        reader.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", secret);

        var problem = await PostAsync(reader, $"/api/mailboxes/{mailbox}/refresh", HttpStatusCode.Forbidden);

        Assert.Contains("reader", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Events_show_only_the_mailboxes_the_callers_scope_covers()
    {
        var (broker, mine) = await ConnectedAsync("api-events-mine");
        await using var _ = broker;
        var other = Maildir.UniqueAddress("api-events-other");
        await MailBrokerPeers.ConsentAsync(broker.Client.BaseAddress!, other, Ct, "imap");
        await PostAsync(broker.Client, $"/api/mailboxes/{mine}/disable", HttpStatusCode.OK);
        await PostAsync(broker.Client, $"/api/mailboxes/{other}/disable", HttpStatusCode.OK);
        var secret = await CallerTesting.AddClientAsync(broker.Services.GetRequiredService<IClientRegistry>(), "mine-only", mine, "status");
        using var client = broker.AnonymousClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", secret);

        using var answer = JsonDocument.Parse(await client.GetStringAsync("/api/events?limit=100", Ct));

        var mailboxes = answer.RootElement.GetProperty("events").EnumerateArray().Select(e => e.GetProperty("mailbox").GetString()).Distinct().ToList();
        Assert.Equal([mine], mailboxes);
    }

    [Fact]
    public async Task The_mailbox_refresh_command_prints_the_outcome_and_the_events_command_lists_it()
    {
        var (broker, mailbox) = await ConnectedAsync("cli-refresh");
        await using var _ = broker;
        await PostAsync(broker.Client, $"/api/mailboxes/{mailbox}/disable", HttpStatusCode.OK);
        var url = broker.Client.BaseAddress!.AbsoluteUri;

        var (enableExit, enableOutput, enableError) = await RunCliAsync(MailboxCommand.Create(), "mailbox", "enable", mailbox, "--url", url, "--credential", TestCredentials.MasterKey);
        var (eventsExit, eventsOutput, _) = await RunCliAsync(EventsCommand.Create(), "events", "--mailbox", mailbox, "--url", url, "--credential", TestCredentials.MasterKey);

        Assert.True(enableExit == 0, enableError);
        Assert.Contains("was redeemed", enableOutput, StringComparison.Ordinal);
        Assert.Equal(0, eventsExit);
        Assert.Contains("Disabled -> Connected", eventsOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_queues_command_lists_a_poisoned_request_with_its_reason_and_requeues_it()
    {
        var (settings, data) = MailBrokerPeers.NewBroker("cli-queues");
        await using var broker = await MailBrokerPeers.StartAsync(settings, data);
        var queues = broker.Services.GetRequiredService<IQueueTransport>();
        var stranger = Maildir.UniqueAddress("cli-queues");
        await queues.SendAsync(MailWorkerFunction.QueueName, JsonSerializer.Serialize(new { version = 1, kind = "send", id = "cli-poison-1", from = stranger, to = new[] { stranger }, subject = "x", text = "x" }), cancellationToken: Ct);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (await queues.GetApproximateCountAsync(MailWorkerFunction.PoisonQueueName, Ct) == 0 && DateTime.UtcNow < deadline) await Task.Delay(100, Ct);
        var url = broker.Client.BaseAddress!.AbsoluteUri;
        var id = (await queues.PeekAsync(MailWorkerFunction.PoisonQueueName, 1, Ct)).Single().Id;

        var (listExit, listOutput, _) = await RunCliAsync(QueuesCommand.Create(), "queues", "--url", url, "--credential", TestCredentials.MasterKey);
        var (requeueExit, requeueOutput, requeueError) = await RunCliAsync(QueuesCommand.Create(), "queues", "requeue", id, "--url", url, "--credential", TestCredentials.MasterKey);

        Assert.Equal(0, listExit);
        Assert.Contains("cli-poison-1", listOutput, StringComparison.Ordinal);
        Assert.Contains("is not a registered mailbox", listOutput, StringComparison.Ordinal);
        Assert.True(requeueExit == 0, requeueError);
        Assert.Contains("cli-poison-1", requeueOutput, StringComparison.Ordinal);
    }

    private static async Task<(int Exit, string Output, string Error)> RunCliAsync(Command command, params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var exit = await new RootCommand { command }.Parse(args).InvokeAsync(new InvocationConfiguration { Output = output, Error = error }, Ct);
        return (exit, output.ToString(), error.ToString());
    }
}
