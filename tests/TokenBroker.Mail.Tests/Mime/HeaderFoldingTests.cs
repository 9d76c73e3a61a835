using TokenBroker.Mail.Mime;

namespace TokenBroker.Mail.Tests.Mime;

public class HeaderFoldingTests
{
    [Fact]
    public void Short_header_stays_on_one_line() => Assert.Equal("Subject: hello", HeaderFolding.Fold("Subject", "hello"));

    [Fact]
    public void Long_header_folds_before_whitespace_into_lines_of_at_most_78()
    {
        var value = string.Join(' ', Enumerable.Range(0, 40).Select(i => $"word{i}"));

        var folded = HeaderFolding.Fold("Subject", value);

        var lines = folded.Split("\r\n");
        Assert.True(lines.Length > 1);
        Assert.All(lines, line => Assert.True(line.Length <= 78, line));
        Assert.All(lines.Skip(1), line => Assert.StartsWith(" ", line));
        Assert.Equal("Subject: " + value, folded.Replace("\r\n", ""));
    }

    [Fact]
    public void Runs_of_whitespace_never_leave_a_whitespace_only_line()
    {
        var value = string.Join("     ", Enumerable.Range(0, 30).Select(i => $"w{i}"));

        var folded = HeaderFolding.Fold("X-Test", value);

        Assert.All(folded.Split("\r\n"), line => Assert.False(string.IsNullOrWhiteSpace(line)));
        Assert.Equal("X-Test: " + value, folded.Replace("\r\n", ""));
    }

    [Fact]
    public void A_word_longer_than_a_line_is_kept_whole()
    {
        var word = new string('x', 120);

        Assert.Equal($"X-Long: a\r\n {word}", HeaderFolding.Fold("X-Long", "a " + word));
    }
}
