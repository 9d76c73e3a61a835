using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using TokenBroker.Hosting.Functions;
using TokenBroker.Jobs.Ledger;
using TokenBroker.Jobs.Status;
using TokenBroker.Queues;
using TokenBroker.Testing;
using TokenBroker.Tests.Hosting.Support;
using TokenBroker.Tests.Jobs.Mail.Support;

namespace TokenBroker.Tests.Jobs.Mail;

/// <summary>
/// Several broker processes (the published executable, `tokenbroker serve`) sharing one mailbox's limits through the governor's shared state (Azure blobs on Azurite,
/// or the SQLite file), in front of the real submission server: a relay in front of it counts the connections the
/// server sees, Dovecot's Maildir file names (microseconds) when each message arrived.
/// </summary>
[Collection(TokenBroker.Tests.Jobs.Support.AzuriteMailRequests.Name)]
public sealed class SharedGovernorTests
{
    private const int MaxConnections = 2;
    private const int MessagesPerWindow = 15;
    private static readonly TimeSpan Window = TimeSpan.FromSeconds(3);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("azure", 3)]
    [InlineData("sqlite", 2)]
    public async Task Instances_sharing_the_governor_never_exceed_the_mailboxs_connections_or_rate_and_deliver_every_message_once(string queues, int instances)
    {
        const int count = 300;
        await using var relay = new CountingSmtpRelay(PeersEnvironment.Get("MAIL_HOST"), int.Parse(PeersEnvironment.Get("SUBMISSION_PORT"), System.Globalization.CultureInfo.InvariantCulture));
        var (settings, data, mailbox, recipient) = await QueueBatchAsync(queues, relay, "governor", count);
        var maildir = Maildir.For(recipient);

        var started = DateTimeOffset.UtcNow;
        var children = Enumerable.Range(0, instances).Select(_ => StartPublished(settings)).ToList();
        try
        {
            await children[0].WaitUntilAsync(() => maildir.List().Count >= count, TimeSpan.FromMinutes(6), Ct);
            await Task.Delay(TimeSpan.FromSeconds(3), Ct); // a duplicate would arrive now
        }
        finally
        {
            foreach (var child in children) child.Dispose();
        }
        var elapsed = DateTimeOffset.UtcNow - started;

        var delivered = MailBrokerPeers.MessageIds(maildir);
        var expected = Enumerable.Range(0, count).Select(i => MessageIds.For(mailbox, $"gov-{i:D3}", "tokenbroker.test")).Order().ToList();
        Assert.Equal(expected, delivered.Order().ToList());
        Assert.InRange(relay.MaxOpen, 1, MaxConnections);
        var busiest = BusiestWindow(maildir);
        Assert.InRange(busiest, 1, MessagesPerWindow);
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"{queues}, {instances} instances: {count} messages in {elapsed.TotalSeconds:0.0} s ({count / elapsed.TotalSeconds:0.0}/s, limit {MessagesPerWindow} per {Window.TotalSeconds:0} s + 1 s margin); " +
            $"at most {relay.MaxOpen} connections at once over {relay.Accepted.Count} opened; busiest window {busiest} arrivals");
    }

    [Fact]
    public async Task A_432_from_the_server_backs_off_every_instance_and_status_and_one_event_say_why()
    {
        const int count = 6;
        const string reply = "432 4.3.2 Concurrent connections limit exceeded. Visit https://aka.ms/concurrent_sending for more information.";
        var backoff = TimeSpan.FromSeconds(8);
        await using var relay = new CountingSmtpRelay(PeersEnvironment.Get("MAIL_HOST"), int.Parse(PeersEnvironment.Get("SUBMISSION_PORT"), System.Globalization.CultureInfo.InvariantCulture));
        relay.RefuseWith = reply;
        var (settings, data, mailbox, recipient) = await QueueBatchAsync("sqlite", relay, "throttled", count);
        settings["Mail:Governor:ThrottledBackoff"] = backoff.ToString();
        var maildir = Maildir.For(recipient);

        var children = Enumerable.Range(0, 2).Select(_ => StartPublished(settings)).ToList();
        StatusReport duringBackoff;
        try
        {
            await children[0].WaitUntilAsync(() => relay.Accepted.Count > 0, TimeSpan.FromMinutes(1), Ct);
            var firstRefusal = relay.Accepted[0].At;
            await Task.Delay(TimeSpan.FromSeconds(2), Ct);
            relay.RefuseWith = null; // the server would take connections again; the instances must still wait out the back-off
            duringBackoff = await StatusAsync(settings, data);
            await children[0].WaitUntilAsync(() => maildir.List().Count >= count, TimeSpan.FromMinutes(2), Ct);

            // Both instances may have dialled before the first refusal was recorded; none dialled again during the back-off.
            var refused = relay.Accepted.Count(a => a.Refused);
            Assert.InRange(refused, 1, 2 * MaxConnections);
            var early = relay.Accepted.Where(a => !a.Refused && a.At < firstRefusal + backoff - TimeSpan.FromMilliseconds(500)).ToList();
            Assert.True(early.Count == 0, $"connections during the back-off: {string.Join(", ", early.Select(a => (a.At - firstRefusal).TotalSeconds.ToString("0.00", System.Globalization.CultureInfo.InvariantCulture)))} s after the 432");
        }
        finally
        {
            foreach (var child in children) child.Dispose();
        }

        var sending = Assert.Single(duringBackoff.Mailboxes, m => m.Address == mailbox).Sending;
        Assert.NotNull(sending);
        Assert.NotNull(sending.BackedOffUntil);
        Assert.Contains("432 4.3.2", sending.BackOffReason);
        Assert.Contains("concurrent SMTP connections", sending.BackOffReason);
        Assert.Equal(count, maildir.List().Count);

        var events = await EventsAsync(settings, data);
        var throttled = events.Where(e => e.GetProperty("type").GetString() == "mail.throttled").ToList();
        var only = Assert.Single(throttled);
        Assert.Contains("432 4.3.2", only.GetProperty("reason").GetString());
        Assert.Equal(mailbox, only.GetProperty("mailbox").GetString());
        Assert.Equal(count, events.Count(e => e.GetProperty("type").GetString() == "mail.sent"));
    }

    /// <summary>A consented mailbox and <paramref name="count"/> queued sends, with the governor's limits scaled down and its SMTP server behind <paramref name="relay"/>.</summary>
    private static async Task<(Dictionary<string, string> Settings, string Data, string Mailbox, string Recipient)> QueueBatchAsync(
        string queues, CountingSmtpRelay relay, string purpose, int count)
    {
        var (settings, data) = MailBrokerPeers.NewBroker(purpose);
        MailBrokerPeers.UseQueues(settings, queues);
        settings["Mail:Smtp"] = $"smtp://{PeersEnvironment.Get("MAIL_HOST")}:{relay.Port}";
        settings["Mail:Governor:MaxConnections"] = MaxConnections.ToString(System.Globalization.CultureInfo.InvariantCulture);
        settings["Mail:Governor:MessagesPerMinute"] = MessagesPerWindow.ToString(System.Globalization.CultureInfo.InvariantCulture);
        settings["Mail:Governor:Window"] = Window.ToString();
        // The governor's margin covers the way from its grant to the server (shared write, SMTP, Postfix's hop to LMTP).
        settings["Mail:Governor:WindowMargin"] = "00:00:01";
        settings["Mail:Governor:IdleConnectionTimeout"] = "00:00:02";
        settings["Mail:Governor:SlotLease"] = queues == "azure" ? "00:00:15" : "00:00:05";
        settings["Mail:Governor:SlotPollInterval"] = "00:00:00.300";
        // Each run its own governor container: limits and slots from another test's mailbox never mix in.
        settings["Mail:Governor:ContainerName"] = "governor-" + Guid.NewGuid().ToString("N")[..12];
        var mailbox = Maildir.UniqueAddress("sender");
        var recipient = Maildir.UniqueAddress("rcpt");
        await using var setup = await MailBrokerPeers.StartAsync(settings, data, new FunctionCatalog(MailBrokerPeers.TableWithConsent().Http));
        await MailBrokerPeers.ConsentAsync(setup.Client.BaseAddress!, mailbox, Ct, protocols: "smtp,imap");
        var transport = setup.Services.GetRequiredService<IQueueTransport>();
        await transport.CreateIfNotExistsAsync("mail-requests", Ct);
        for (var i = 0; i < count; i++)
            await transport.SendAsync("mail-requests", MailJobsHarness.SendRequest(mailbox, recipient, $"gov-{i:D3}").ToJsonString(), cancellationToken: Ct);
        return (settings, data, mailbox, recipient);
    }

    /// <summary>
    /// The published executable on the same data folder and storage, its own HTTP port. It never needs the identity
    /// server: the mailbox's token from the consent is good for an hour and stays in the shared token store.
    /// </summary>
    private static ChildBroker StartPublished(Dictionary<string, string> settings)
    {
        var start = new System.Diagnostics.ProcessStartInfo(PublishedBroker.Executable, ["serve"])
        {
            WorkingDirectory = Directory.CreateTempSubdirectory("published-governor-").FullName,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var (key, value) in settings)
            start.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        start.Environment["Broker__Urls"] = $"http://127.0.0.1:{MailBrokerPeers.FreePort()}";
        start.Environment["Queues__MessageLease"] = "00:00:10";
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        var process = System.Diagnostics.Process.Start(start)!;
        var lines = new System.Collections.Concurrent.ConcurrentQueue<string>();
        void Keep(string? line)
        {
            if (line is null) return;
            lines.Enqueue(line);
            while (lines.Count > 40) lines.TryDequeue(out _);
        }
        process.OutputDataReceived += (_, e) => Keep(e.Data);
        process.ErrorDataReceived += (_, e) => Keep(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return new ChildBroker(process, () => string.Join("\n", lines));
    }

    /// <summary>The most messages that arrived within any window, as the server's clock counts them.</summary>
    private static int BusiestWindow(Maildir maildir)
    {
        var arrivals = maildir.List().Select(m => ArrivalOf(m.FileName)).Order().ToList();
        var span = (decimal)Window.TotalSeconds;
        var busiest = 0;
        for (int first = 0, last = 0; last < arrivals.Count; last++)
        {
            while (arrivals[last] - arrivals[first] >= span) first++;
            busiest = Math.Max(busiest, last - first + 1);
        }
        return busiest;
    }

    // Dovecot names delivered files "<seconds>.M<microseconds>P<pid>.<host>,...".
    private static decimal ArrivalOf(string fileName)
    {
        var parts = fileName.Split('.');
        var micro = new string(parts[1].Skip(1).TakeWhile(char.IsAsciiDigit).ToArray());
        return long.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture) + long.Parse(micro, System.Globalization.CultureInfo.InvariantCulture) / 1_000_000m;
    }

    /// <summary>GET /api/status from a broker on the same data folder (and so the same governor file).</summary>
    private static async Task<StatusReport> StatusAsync(Dictionary<string, string> settings, string data)
    {
        var own = new Dictionary<string, string>(settings) { ["Broker:Urls"] = $"http://127.0.0.1:{MailBrokerPeers.FreePort()}" };
        await using var broker = await MailBrokerPeers.StartAsync(own, data, new FunctionCatalog(MailBrokerPeers.TableWithConsent().Http));
        return JsonSerializer.Deserialize<StatusReport>(await broker.Client.GetStringAsync("/api/status", Ct), StatusReport.JsonOptions)!;
    }

    /// <summary>Every event the instances put on broker-events.</summary>
    private static async Task<List<JsonElement>> EventsAsync(Dictionary<string, string> settings, string data)
    {
        var own = new Dictionary<string, string>(settings) { ["Broker:Urls"] = $"http://127.0.0.1:{MailBrokerPeers.FreePort()}" };
        await using var broker = await MailBrokerPeers.StartAsync(own, data, new FunctionCatalog(MailBrokerPeers.TableWithConsent().Http));
        var transport = broker.Services.GetRequiredService<IQueueTransport>();
        var events = new List<JsonElement>();
        while (true)
        {
            var batch = await transport.ReceiveAsync("broker-events", 32, TimeSpan.FromMinutes(1), Ct);
            if (batch.Count == 0) return events;
            events.AddRange(batch.Select(m => JsonDocument.Parse(m.Text).RootElement.Clone()));
        }
    }
}
