using System.Diagnostics;
using System.Text;
using TokenBroker.Mail.Pop3;
using TokenBroker.Mail.Tests.Imap;
using TokenBroker.Mail.Tests.Support;

namespace TokenBroker.Mail.Tests.Pop3;

/// <summary>
/// Random and mutated server bytes, fixed seeds: every case must end quickly with a MailProtocolException,
/// an -ERR the bytes spelled out, or success; never a hang or any other exception.
/// </summary>
public class Pop3ReaderFuzzTests
{
    private const string Valid =
        "+OK Dovecot ready.\r\n+OK\r\nCAPA\r\nUIDL\r\nSASL XOAUTH2\r\n.\r\n+OK 2 320\r\n+OK\r\n1 0000000a5f\r\n2 0000000b5f\r\n.\r\n" +
        "+OK 2 messages\r\n1 120\r\n2 200\r\n.\r\n+OK 60 octets\r\nSubject: dots\r\n\r\n..leading\r\n.\r\n+OK\r\n";

    [Fact]
    public async Task Random_and_mutated_bytes_end_in_a_protocol_error_or_success()
    {
        var random = new Random(1939);
        for (var i = 0; i < 3000; i++)
        {
            byte[] bytes;
            if (i % 3 == 0)
            {
                bytes = new byte[random.Next(0, 400)];
                random.NextBytes(bytes);
                bytes = [.. "+OK \r\n"u8, .. bytes];
            }
            else
            {
                bytes = FuzzMutations.Mutate(Encoding.ASCII.GetBytes(Valid), random, ".+-\r\n 0123456789"u8);
            }
            await RunCaseAsync(bytes, $"case {i}");
        }
    }

    private static async Task RunCaseAsync(byte[] serverBytes, string name)
    {
        var watch = Stopwatch.StartNew();
        var client = new Pop3Client(new CannedTransport(serverBytes).Connection);
        try
        {
            await client.ReadGreetingAsync();
            await client.CapaAsync();
            await client.StatAsync();
            await client.UidlAsync();
            await client.ListAsync();
            await client.RetrAsync(1, new MemoryStream());
            await client.QuitAsync();
        }
        catch (MailProtocolException)
        {
        }
        catch (MailCommandException)
        {
            // A well-formed -ERR in the bytes: the reader understood it.
        }
        catch (Exception other)
        {
            Assert.Fail($"{name}: {other.GetType().Name}: {other.Message}\n{Convert.ToBase64String(serverBytes)}");
        }
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(2), $"{name} took {watch.Elapsed}");
    }
}
