using System.Text;

namespace TokenBroker.Mail.Mime;

/// <summary>Folds a header to lines of at most 78 characters where it has whitespace (RFC 5322 §2.2.3).
/// A fold only inserts CRLF before existing whitespace, so unfolding gives back the exact value. A word
/// longer than a line is left whole (lines may reach 998).</summary>
public static class HeaderFolding
{
    public const int MaxLineLength = 78;

    public static string Fold(string name, string value)
    {
        var text = name + ": " + value;
        if (text.Length <= MaxLineLength)
            return text;
        var folded = new StringBuilder(text.Length + 16);
        var lineLength = 0;
        foreach (var token in Tokens(text))
        {
            if (lineLength > 0 && lineLength + token.Length > MaxLineLength)
            {
                folded.Append("\r\n");
                lineLength = 0;
            }
            folded.Append(token);
            lineLength += token.Length;
        }
        return folded.ToString();
    }

    // Tokens start at a run of whitespace (kept with the word that follows it), so a fold never leaves a
    // line of only whitespace.
    private static IEnumerable<string> Tokens(string text)
    {
        var start = 0;
        for (var i = 1; i < text.Length; i++)
        {
            if (text[i] is ' ' or '\t' && text[i - 1] is not (' ' or '\t'))
            {
                yield return text[start..i];
                start = i;
            }
        }
        yield return text[start..];
    }
}
