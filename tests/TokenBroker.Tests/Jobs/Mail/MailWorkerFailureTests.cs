using TokenBroker.Jobs;
using System.Text.Json;
using TokenBroker.Jobs.Mail;
using TokenBroker.OAuth;
using TokenBroker.Store;
using TokenBroker.Testing;
using TokenBroker.Tests.Jobs.Mail.Support;

namespace TokenBroker.Tests.Jobs.Mail;

/// <summary>Requests that can never succeed end with a mail.failed event and a poison copy; the invocation succeeds.</summary>
public sealed class MailWorkerFailureTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string Sender() => Maildir.UniqueAddress("sender");

    private static (JsonElement Event, string Poison) SingleFailure(TokenBroker.Jobs.InvocationOutputs context)
    {
        var failure = Assert.Single(MailJobsHarness.Outputs(context, MailEvents.OutputBinding));
        Assert.Equal("mail.failed", failure.GetProperty("type").GetString());
        Assert.Equal(1, failure.GetProperty("version").GetInt32());
        return (failure, Assert.Single(context.Outputs[MailEvents.PoisonBinding]));
    }

    [Fact]
    public async Task Invalid_json_fails_with_its_reason_and_is_poisoned_wrapped_as_json()
    {
        await using var harness = MailJobsHarness.Create();

        var context = await harness.RunAsync("{\"version\": 1, \"kind\": \"send\"", Ct);

        var (failure, poison) = SingleFailure(context);
        Assert.StartsWith("The request is not valid JSON", failure.GetProperty("reason").GetString());
        Assert.Equal("{\"version\": 1, \"kind\": \"send\"", JsonDocument.Parse(poison).RootElement.GetProperty("unparsedRequest").GetString());
    }

    [Fact]
    public async Task An_invalid_request_fails_with_every_problem_and_its_original_text_is_poisoned()
    {
        await using var harness = MailJobsHarness.Create();
        var request = MailJobsHarness.SendRequest(Sender(), Maildir.UniqueAddress(), id: "bad id");
        request["subject"] = "a\nBcc: x@example.com";
        var text = request.ToJsonString();

        var context = await harness.RunAsync(text, Ct);

        var (failure, poison) = SingleFailure(context);
        var reason = failure.GetProperty("reason").GetString();
        Assert.Contains("The id must be", reason);
        Assert.Contains("The subject contains a line break", reason);
        Assert.Equal(text, poison);
    }

    [Fact]
    public async Task A_request_from_an_unregistered_mailbox_fails_permanently()
    {
        await using var harness = MailJobsHarness.Create();
        var from = Sender();

        var context = await harness.RunAsync(MailJobsHarness.SendRequest(from, Maildir.UniqueAddress()).ToJsonString(), Ct);

        var (failure, _) = SingleFailure(context);
        Assert.Equal($"{from} is not a registered mailbox; have an admin invite its owner to consent (tokenbroker consent invite {from} --protocols smtp) before sending from it.", failure.GetProperty("reason").GetString());
        Assert.Equal(from, failure.GetProperty("mailbox").GetString());
    }

    [Theory]
    [InlineData(MailboxState.NeedsConsent, "AADSTS700082", "needs consent again (AADSTS700082); send its owner a new invitation")]
    [InlineData(MailboxState.BrokenCredential, "AADSTS7000222", "The broker's own credential is broken (AADSTS7000222)")]
    [InlineData(MailboxState.Disabled, "offboarded", "is disabled by an operator (offboarded)")]
    [InlineData(MailboxState.PendingConsent, null, "has not finished its consent yet")]
    public async Task A_mailbox_that_cannot_send_fails_permanently_saying_why_and_what_to_do(MailboxState state, string? stateReason, string expected)
    {
        await using var harness = MailJobsHarness.Create();
        var from = Sender();
        await harness.RegisterAsync(from, state, stateReason);

        var context = await harness.RunAsync(MailJobsHarness.SendRequest(from, Maildir.UniqueAddress()).ToJsonString(), Ct);

        Assert.Contains(expected, SingleFailure(context).Event.GetProperty("reason").GetString());
        Assert.Equal(0, harness.Tokens.Calls);
    }

    [Fact]
    public async Task A_token_refused_for_good_by_the_identity_provider_fails_permanently()
    {
        await using var harness = MailJobsHarness.Create();
        var from = Sender();
        await harness.RegisterAsync(from);
        harness.Tokens.Failure = new TokenFailure(TokenFailureKind.NeedsConsent, "AADSTS700082: the refresh token expired after 90 days of inactivity.", 700082);

        var context = await harness.RunAsync(MailJobsHarness.SendRequest(from, Maildir.UniqueAddress()).ToJsonString(), Ct);

        Assert.Contains("needs consent again (AADSTS700082", SingleFailure(context).Event.GetProperty("reason").GetString());
    }

    [Fact]
    public async Task A_transient_identity_provider_failure_throws_so_the_queue_retries()
    {
        await using var harness = MailJobsHarness.Create();
        var from = Sender();
        await harness.RegisterAsync(from);
        harness.Tokens.Failure = new TokenFailure(TokenFailureKind.Transient, "The identity provider answered 503.");

        await Assert.ThrowsAsync<MailboxTokenUnavailableException>(() => harness.RunAsync(MailJobsHarness.SendRequest(from, Maildir.UniqueAddress()).ToJsonString(), Ct));
    }

    [Fact]
    public async Task A_fetch_request_fails_permanently_when_this_build_has_no_fetch_job()
    {
        await using var harness = MailJobsHarness.Create();
        var fetch = """{"version":1,"kind":"fetch","id":"f1","mailbox":"support@tokenbroker.test","protocol":"imap","sink":{"name":"archive"}}""";

        var context = await harness.RunAsync(fetch, Ct);

        var (failure, poison) = SingleFailure(context);
        Assert.Equal("fetch is not available in this build.", failure.GetProperty("reason").GetString());
        Assert.Equal("fetch", failure.GetProperty("kind").GetString());
        Assert.Equal(fetch, poison);
    }

    [Theory]
    [InlineData("to", "\"to\" must be a list of addresses (leave it out for none); it is null.")]
    [InlineData("cc", "\"cc\" must be a list of addresses (leave it out for none); it is null.")]
    [InlineData("headers", "\"headers\" must be an object of header names and string values (leave it out for none); it is null.")]
    public async Task A_null_list_on_the_queue_is_poisoned_with_the_reason_instead_of_retried(string field, string reason)
    {
        await using var harness = MailJobsHarness.Create();
        var request = MailJobsHarness.SendRequest(Sender(), Maildir.UniqueAddress());
        request[field] = null;

        var context = await harness.RunAsync(request.ToJsonString(), Ct);

        var (failure, _) = SingleFailure(context);
        Assert.Equal(reason, failure.GetProperty("reason").GetString());
    }

    [Fact]
    public async Task A_null_attachment_on_the_queue_is_poisoned_with_the_reason()
    {
        await using var harness = MailJobsHarness.Create();
        var request = MailJobsHarness.SendRequest(Sender(), Maildir.UniqueAddress());
        request["attachments"] = new System.Text.Json.Nodes.JsonArray((System.Text.Json.Nodes.JsonNode?)null);

        var context = await harness.RunAsync(request.ToJsonString(), Ct);

        Assert.Equal("Attachment 1 must be an object; it is null.", SingleFailure(context).Event.GetProperty("reason").GetString());
    }

    [Fact]
    public async Task The_worker_keeps_delivering_good_requests_between_bad_ones()
    {
        await using var harness = MailJobsHarness.Create();
        var from = Sender();
        var recipient = Maildir.UniqueAddress("rcpt");
        await harness.RegisterAsync(from);
        var worker = harness.CreateWorker();
        var texts = new[]
        {
            "not json",
            MailJobsHarness.SendRequest(from, recipient).ToJsonString(),
            MailJobsHarness.SendRequest(Sender(), recipient).ToJsonString(), // unregistered
            MailJobsHarness.SendRequest(from, recipient).ToJsonString(),
        };

        var events = new List<string>();
        foreach (var text in texts)
        {
            var context = new TokenBroker.Jobs.InvocationOutputs();
            await worker.RunAsync(text, context, Ct);
            events.AddRange(MailJobsHarness.Outputs(context, MailEvents.OutputBinding).Select(e => e.GetProperty("type").GetString()!));
        }

        Assert.Equal(["mail.failed", "mail.sent", "mail.failed", "mail.sent"], events);
        Assert.Equal(2, (await Maildir.For(recipient).WaitForMessagesAsync(2, cancellationToken: Ct)).Count);
    }
}
