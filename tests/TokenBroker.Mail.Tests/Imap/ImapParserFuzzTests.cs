using System.Diagnostics;
using System.Text;
using TokenBroker.Mail.Imap;
using TokenBroker.Mail.Tests.Support;

namespace TokenBroker.Mail.Tests.Imap;

/// <summary>
/// Random and mutated server bytes, fixed seeds: every case must end quickly with a MailProtocolException,
/// a command failure the bytes spelled out (a tagged NO/BAD), or success; never a hang or any other exception.
/// </summary>
public class ImapParserFuzzTests
{
    private static readonly string[] Corpus =
    [
        ImapTranscript.DovecotGreeting + "\r\n",
        "* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)\r\n* OK [PERMANENTFLAGS (\\Answered \\*)] Flags permitted.\r\n* 3 EXISTS\r\n* OK [UIDVALIDITY 1700000000] UIDs valid\r\n* OK [UIDNEXT 4] Predicted next UID\r\nA1 OK [READ-WRITE] Select completed.\r\n",
        "* 1 FETCH (UID 7 FLAGS (\\Seen) INTERNALDATE \"21-Nov-2026 20:00:00 +0000\" RFC822.SIZE 12 BODY[] {12}\r\nSubject: x\r\n)\r\n* 2 FETCH (UID 8 BODY[] \"q\\\"uoted\")\r\nA2 OK Fetch completed.\r\n",
        "* LIST (\\HasNoChildren) \"/\" INBOX\r\n* LIST (\\Noselect) NIL {5}\r\nEntw&\r\n* SEARCH 1 2 3\r\n* CAPABILITY IMAP4rev1 MOVE\r\nA3 OK done\r\n",
        "+ eyJzdGF0dXMiOiI0MDEifQ==\r\nA4 NO [AUTHENTICATIONFAILED] Authentication failed.\r\n* BYE bye\r\n",
        "* 5 FETCH (BODY[HEADER.FIELDS (SUBJECT FROM)] {20}\r\nSubject: a\r\nFrom: b\r\n BINARY[] ~{3}\r\nabc MODSEQ (5) X-UNKNOWN (a (b \"c\") NIL))\r\n",
    ];

    [Fact]
    public async Task Random_bytes_end_in_a_protocol_error_or_success()
    {
        var random = new Random(20261121);
        for (var i = 0; i < 1500; i++)
        {
            var bytes = new byte[random.Next(0, 600)];
            random.NextBytes(bytes);
            // Bias towards IMAP structure so the parser gets deep, not just rejected at the first byte.
            var prefix = random.Next(3) switch { 0 => "* ", 1 => "* 1 FETCH (", _ => "" };
            await RunCaseAsync([.. Encoding.ASCII.GetBytes(ImapTranscript.DovecotGreeting + "\r\n" + prefix), .. bytes], $"random case {i}");
        }
    }

    [Fact]
    public async Task Mutated_real_responses_end_in_a_protocol_error_or_success()
    {
        var random = new Random(4711);
        for (var i = 0; i < 3000; i++)
        {
            var original = Encoding.UTF8.GetBytes(ImapTranscript.DovecotGreeting + "\r\n" + Corpus[random.Next(Corpus.Length)] + Corpus[random.Next(Corpus.Length)]);
            await RunCaseAsync(FuzzMutations.Mutate(original, random, "(){}[]\"\\ \r\n*+0123456789~<>"u8), $"mutation case {i}");
        }
    }

    private static async Task RunCaseAsync(byte[] serverBytes, string name)
    {
        var watch = Stopwatch.StartNew();
        var transport = new CannedTransport(serverBytes);
        var client = new ImapClient(transport.Connection);
        try
        {
            await client.ReadGreetingAsync();
            await client.SelectAsync("INBOX");
            await client.UidFetchAsync("1:*", ImapFetchItems.All, (_, _) => ValueTask.CompletedTask);
            await client.ListAsync();
            await client.UidSearchAsync("ALL");
        }
        catch (MailProtocolException)
        {
        }
        catch (MailCommandException)
        {
            // A well-formed tagged NO/BAD in the random bytes: the parser understood it.
        }
        catch (Exception other)
        {
            Assert.Fail($"{name}: {other.GetType().Name}: {other.Message}\n{Convert.ToBase64String(serverBytes)}");
        }
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(2), $"{name} took {watch.Elapsed}");
    }
}

/// <summary>Byte-level mutations of a valid transcript: flips, inserts of syntax characters, deletions, truncation, duplication.</summary>
internal static class FuzzMutations
{
    public static byte[] Mutate(byte[] original, Random random, ReadOnlySpan<byte> interesting)
    {
        var bytes = new List<byte>(original);
        var edits = random.Next(1, 6);
        for (var e = 0; e < edits && bytes.Count > 0; e++)
        {
            var at = random.Next(bytes.Count);
            switch (random.Next(6))
            {
                case 0: bytes[at] = (byte)random.Next(256); break;
                case 1: bytes.Insert(at, interesting[random.Next(interesting.Length)]); break;
                case 2: bytes.RemoveRange(at, Math.Min(random.Next(1, 8), bytes.Count - at)); break;
                case 3: bytes.RemoveRange(at, bytes.Count - at); break;
                case 4: bytes.InsertRange(at, bytes.GetRange(at, Math.Min(random.Next(1, 40), bytes.Count - at))); break;
                default: bytes.InsertRange(at, Encoding.ASCII.GetBytes("{" + random.Next(0, 100) + "}\r\n")); break;
            }
        }
        return bytes.ToArray();
    }
}
