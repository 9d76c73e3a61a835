using System.Text;
using TokenBroker.Mail.Smtp;

namespace TokenBroker.Mail.Tests.Smtp;

public class DotStufferTests
{
    private const string Input = ".a\r\nb\n.\r\n..c\rd\r\n.";
    private const string Stuffed = "..a\r\nb\r\n..\r\n...c\rd\r\n..";

    private static string Run(DotStuffer stuffer, params string[] pieces)
    {
        var output = new StringBuilder();
        foreach (var piece in pieces)
        {
            var bytes = Encoding.ASCII.GetBytes(piece);
            var buffer = new byte[DotStuffer.MaxOutputLength(bytes.Length)];
            output.Append(Encoding.ASCII.GetString(buffer, 0, stuffer.Process(bytes, buffer)));
        }
        return output.ToString();
    }

    [Fact]
    public void Dots_at_line_starts_are_doubled_and_bare_lf_gets_a_cr() => Assert.Equal(Stuffed, Run(new DotStuffer(), Input));

    [Fact]
    public void Splitting_the_input_anywhere_gives_the_same_bytes()
    {
        for (var split = 0; split <= Input.Length; split++)
            Assert.Equal(Stuffed, Run(new DotStuffer(), Input[..split], Input[split..]));
    }

    [Fact]
    public void Without_dot_stuffing_only_line_ends_change() =>
        Assert.Equal(".a\r\nb\r\n.\r\n..c\rd\r\n.", Run(new DotStuffer(stuffDots: false), Input));

    [Theory]
    [InlineData("text\r\n", ".\r\n")]
    [InlineData("text", "\r\n.\r\n")]
    [InlineData("", ".\r\n")]
    public void The_terminator_adds_a_line_break_only_when_missing(string content, string terminator)
    {
        var stuffer = new DotStuffer();
        var buffer = new byte[DotStuffer.MaxOutputLength(content.Length)];
        stuffer.Process(Encoding.ASCII.GetBytes(content), buffer);

        Assert.Equal(terminator, Encoding.ASCII.GetString(stuffer.Terminator));
    }
}
