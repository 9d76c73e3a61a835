using System.Text;
using System.Text.Json;
using TokenBroker.Jobs.Mail.Governor.Shared;

namespace TokenBroker.Tests.Jobs.Mail;

/// <summary>One mailbox's stored counters: the window's rules and the record's size, whatever the limit.</summary>
public sealed class GovernorRecordTests
{
    private static readonly DateTimeOffset Start = new(2026, 12, 3, 9, 0, 0, TimeSpan.Zero);

    private static GovernorLimits Limits(int messagesPerWindow) =>
        new(messagesPerWindow, TimeSpan.FromMinutes(1), RecipientsPerDay: 100_000_000, MaxConnections: 3, SlotLease: TimeSpan.FromSeconds(30));

    [Fact]
    public void A_high_limit_keeps_the_record_small_however_many_messages_are_in_the_window()
    {
        var record = new MailboxGovernorRecord();
        for (var i = 0; i < 20_000; i++)
            Assert.True(record.Admit(Start.AddMilliseconds(i * 2), 1, takeMessage: true, Limits(1_000_000)).Granted);

        Assert.Equal(20_000, record.MessagesInWindow);
        Assert.InRange(record.Bursts.Count, 1, 65);
        Assert.InRange(JsonSerializer.SerializeToUtf8Bytes(record, GovernorJson.Options).Length, 1, 8 * 1024);
    }

    [Fact]
    public void Messages_sharing_an_entry_leave_the_window_with_the_latest_of_them()
    {
        var limits = Limits(100);
        var record = new MailboxGovernorRecord();
        for (var i = 0; i < 100; i++) Assert.True(record.Admit(Start.AddMilliseconds(i * 5), 1, takeMessage: true, limits).Granted);

        var full = record.Admit(Start.AddSeconds(30), 1, takeMessage: true, limits);

        Assert.Equal(AdmissionResult.WindowFull, full.Result);
        Assert.True(full.RetryAfter >= TimeSpan.FromSeconds(30), $"retry after {full.RetryAfter}: a message would leave before its window passed");
        Assert.False(record.Admit(Start.AddMinutes(1), 1, takeMessage: true, limits).Granted);
        Assert.True(record.Admit(Start.AddMinutes(1).AddMilliseconds(500), 1, takeMessage: true, limits).Granted);
    }

    [Fact]
    public void A_steady_stream_under_the_limit_is_never_held_back()
    {
        // 1,000 a minute allowed, 900 a minute sent: entries must not chain into one that never leaves.
        var limits = Limits(1_000);
        var record = new MailboxGovernorRecord();
        for (var i = 0; i < 900 * 5; i++)
        {
            var admission = record.Admit(Start + TimeSpan.FromMinutes(1) / 900 * i, 1, takeMessage: true, limits);
            Assert.True(admission.Granted, $"message {i} was held back ({admission.Result})");
        }
    }

    [Fact]
    public void A_record_in_the_earlier_one_timestamp_per_message_form_still_counts_its_messages()
    {
        var ticks = string.Join(',', Enumerable.Range(0, 3).Select(i => Start.AddSeconds(i).UtcTicks));
        var record = GovernorJson.Read(Encoding.UTF8.GetBytes("{\"messages\":[" + ticks + "]}"), "test");

        var fourth = record.Admit(Start.AddSeconds(10), 1, takeMessage: true, Limits(3));

        Assert.Equal(AdmissionResult.WindowFull, fourth.Result);
        Assert.Equal(TimeSpan.FromSeconds(50), fourth.RetryAfter);
        Assert.DoesNotContain("\"messages\"", Encoding.UTF8.GetString(JsonSerializer.SerializeToUtf8Bytes(record, GovernorJson.Options)), StringComparison.Ordinal);
    }
}
