using TokenBroker.Mail.Pop3;
using TokenBroker.Mail.Tests.Support;
using TokenBroker.Testing;
using static TokenBroker.Mail.Tests.Imap.ImapDroppedConnectionTests;

namespace TokenBroker.Mail.Tests.Pop3;

/// <summary>A server that closes or goes silent in the middle of RETR: a clear error, never a hang.</summary>
public class Pop3DroppedConnectionTests
{
    [Fact]
    public async Task Pop3_closed_in_the_middle_of_retr_is_a_protocol_error()
    {
        await using var server = ScriptedServer.Start(s => s.StartTls()
            .Send("+OK ready\r\n").Expect("CAPA").Send("+OK\r\nUIDL\r\n.\r\n")
            .Expect("RETR 1").Send("+OK 100000 octets\r\nSubject: cut\r\n\r\n" + new string('y', 5000) + "\r\n").Close());
        await using var client = await Pop3Client.ConnectAsync(server.Endpoint("pop3s"), ScriptedServer.ClientOptions(), TestContext.Current.CancellationToken);

        await Assert.ThrowsAsync<MailProtocolException>(() => client.RetrAsync(1, new MemoryStream(), TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Pop3_silent_in_the_middle_of_retr_times_out_with_a_protocol_error()
    {
        var clock = new ManualTimeProvider();
        var options = ScriptedServer.ClientOptions(TimeSpan.FromSeconds(30));
        await using var server = ScriptedServer.Start(s => s.StartTls()
            .Send("+OK ready\r\n").Expect("CAPA").Send("+OK\r\nUIDL\r\n.\r\n")
            .Expect("RETR 1").Send("+OK 100000 octets\r\nSubject: cut\r\n\r\nhalf a li").Hang());
        await using var client = await Pop3Client.ConnectAsync(server.Endpoint("pop3s"), options, TestContext.Current.CancellationToken);
        options.TimeProvider = clock;

        var retr = client.RetrAsync(1, new MemoryStream(), TestContext.Current.CancellationToken);
        await AdvanceUntilCompletedAsync(clock, retr, options.CommandTimeout);

        var error = await Assert.ThrowsAsync<MailProtocolException>(() => retr);
        Assert.Contains("timed out", error.Message, StringComparison.OrdinalIgnoreCase);
    }
}
