using TokenBroker.Jobs.Mail.Governor;
using TokenBroker.Jobs.Mail.Governor.Shared;
using TokenBroker.Mail.Smtp;
using TokenBroker.Testing;

namespace TokenBroker.Tests.Jobs.Mail;

/// <summary>
/// The shared governor file as two broker instances see it: two <see cref="SqliteGovernorState"/>s on one database, as
/// two processes on one machine open it. The multi-process runs against the real server are in <see cref="SharedGovernorTests"/>.
/// </summary>
public sealed class GovernorStateTests : IDisposable
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private static readonly GovernorLimits Limits = new(MessagesPerWindow: 3, Window: TimeSpan.FromMinutes(1), RecipientsPerDay: 10, MaxConnections: 2, SlotLease: TimeSpan.FromSeconds(5));
    private readonly string _folder = Directory.CreateTempSubdirectory("tokenbroker-governor-").FullName;
    private readonly ManualTimeProvider _clock = new();

    private SqliteGovernorState Instance() => new(Path.Combine(_folder, "governor.db"), TimeSpan.FromSeconds(5), _clock);

    [Fact]
    public async Task Two_instances_share_one_window()
    {
        using var first = Instance();
        using var second = Instance();
        Assert.True((await first.TryAdmitAsync("a@contoso.com", 1, Limits, Ct)).Granted);
        Assert.True((await second.TryAdmitAsync("a@contoso.com", 1, Limits, Ct)).Granted);
        Assert.True((await first.TryAdmitAsync("a@contoso.com", 1, Limits, Ct)).Granted);

        var fourth = await second.TryAdmitAsync("A@Contoso.com", 1, Limits, Ct);

        Assert.Equal(AdmissionResult.WindowFull, fourth.Result);
        Assert.Equal(TimeSpan.FromMinutes(1), fourth.RetryAfter);
    }

    [Fact]
    public async Task Two_instances_share_the_days_recipients()
    {
        using var first = Instance();
        using var second = Instance();
        Assert.True((await first.TryTakeRecipientsAsync("a@contoso.com", 7, Limits, Ct)).Granted);

        var refused = await second.TryAdmitAsync("a@contoso.com", 4, Limits, Ct);

        Assert.Equal(AdmissionResult.RecipientsSpent, refused.Result);
        Assert.Equal(3, refused.RecipientsLeft);
    }

    [Fact]
    public async Task Connection_slots_are_shared_and_come_back_when_released()
    {
        using var first = Instance();
        using var second = Instance();
        var a = await first.TryAcquireConnectionAsync("a@contoso.com", Limits, Ct);
        var b = await second.TryAcquireConnectionAsync("a@contoso.com", Limits, Ct);
        Assert.NotNull(a);
        Assert.NotNull(b);
        Assert.Null(await second.TryAcquireConnectionAsync("a@contoso.com", Limits, Ct));
        Assert.Equal(2, (await first.ReadAsync("a@contoso.com", Limits, Ct)).ConnectionsInUse);

        await a.DisposeAsync();

        await using var c = await second.TryAcquireConnectionAsync("a@contoso.com", Limits, Ct);
        Assert.NotNull(c);
        await b.DisposeAsync();
    }

    [Fact]
    public async Task The_slot_of_an_instance_that_stopped_renewing_is_free_after_its_lease()
    {
        using var second = Instance();
        // An instance that died: its slots were taken and never renewed (the file is all that is left of it).
        using (var dead = Instance())
        {
            Assert.NotNull(await dead.TryAcquireConnectionAsync("a@contoso.com", Limits, Ct));
            Assert.NotNull(await dead.TryAcquireConnectionAsync("a@contoso.com", Limits, Ct));
        }
        Assert.Null(await second.TryAcquireConnectionAsync("a@contoso.com", Limits, Ct));

        _clock.Advance(Limits.SlotLease);

        await using var taken = await second.TryAcquireConnectionAsync("a@contoso.com", Limits, Ct);
        Assert.NotNull(taken);
    }

    [Fact]
    public async Task A_back_off_stops_every_instance_and_only_its_first_report_counts_as_new()
    {
        using var first = Instance();
        using var second = Instance();
        var until = _clock.GetUtcNow().AddMinutes(1);

        Assert.True(await first.BackOffAsync("a@contoso.com", until, "The server answered \"432 4.3.2 ...\".", Ct));
        Assert.False(await second.BackOffAsync("a@contoso.com", until, "The server answered \"432 4.3.2 ...\".", Ct));

        var refused = await second.TryAdmitAsync("a@contoso.com", 1, Limits, Ct);
        Assert.Equal(AdmissionResult.BackedOff, refused.Result);
        Assert.Contains("432 4.3.2", refused.Reason);
        var status = await first.ReadAsync("a@contoso.com", Limits, Ct);
        Assert.Equal(until, status.BackedOffUntil);
        _clock.Advance(TimeSpan.FromMinutes(1));
        Assert.True((await second.TryAdmitAsync("a@contoso.com", 1, Limits, Ct)).Granted);
    }

    [Theory]
    [InlineData(432, "4.3.2", "Concurrent connections limit exceeded", 60)]
    [InlineData(451, "4.7.500", "Server busy. Please try again later", 60)]
    [InlineData(550, "5.2.254", "Sender has exceeded the limit", 3600)]
    [InlineData(554, "5.2.0", "STOREDRV.Submission.Exception:SubmissionQuotaExceededException", 3600)]
    public void Exchanges_throttling_replies_are_recognised_with_their_back_off(int code, string status, string text, int seconds)
    {
        var error = new SmtpCommandException(text, new SmtpReply(code, status, [text]), SmtpStep.MailFrom, null, null);

        var throttling = ThrottlingReplies.Recognise(error, new MailGovernorOptions());

        Assert.NotNull(throttling);
        Assert.Equal(TimeSpan.FromSeconds(seconds), throttling.Backoff);
        Assert.Contains($"{code} {status}", throttling.Reason);
    }

    [Fact]
    public void Other_refusals_are_not_throttling()
    {
        var error = new SmtpCommandException("no", new SmtpReply(550, "5.1.1", ["User unknown"]), SmtpStep.RcptTo, null, null);

        Assert.Null(ThrottlingReplies.Recognise(error, new MailGovernorOptions()));
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
