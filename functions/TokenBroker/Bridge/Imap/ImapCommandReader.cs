using System.Text;
using TokenBroker.Mail.Relay;

namespace TokenBroker.Bridge.Imap;

/// <summary>One IMAP command before login: its tag, name and arguments (atoms, quoted strings, literals).</summary>
public sealed record ImapCommand(string Tag, string Name, IReadOnlyList<string> Arguments);

/// <summary>
/// Reads the few commands an app sends before login. Arguments may be atoms, quoted strings (with \" and \\) or
/// synchronizing literals {n} (the reader sends the "+" continuation); a command is at most
/// <see cref="MaxCommandBytes"/> long in all and a literal at most <see cref="MaxLiteralBytes"/>.
/// </summary>
public static class ImapCommandReader
{
    public const int MaxCommandBytes = 8 * 1024;
    public const int MaxLiteralBytes = 2 * 1024;

    /// <summary>The command, null when the app closed the connection, or a <see cref="FormatException"/> with the BAD text.</summary>
    public static async Task<ImapCommand?> ReadAsync(LineChannel channel, CancellationToken cancellationToken)
    {
        var words = new List<string>();
        var total = 0;
        while (true)
        {
            var line = await channel.ReadLineAsync(cancellationToken).ConfigureAwait(false);
            if (line is null) return null;
            total += line.Length;
            if (total > MaxCommandBytes) throw new FormatException("Command too long.");
            var literal = Split(line, words);
            if (literal is null) break;
            if (literal > MaxLiteralBytes) throw new FormatException("Literal too long.");
            await channel.WriteLineAsync("+ Ready for literal data", cancellationToken).ConfigureAwait(false);
            var bytes = await channel.ReadExactlyAsync(literal.Value, cancellationToken).ConfigureAwait(false);
            if (bytes is null) return null;
            words.Add(Encoding.UTF8.GetString(bytes));
            total += bytes.Length;
        }
        if (words.Count < 2) throw new FormatException(words.Count == 0 ? "Empty command." : "Missing command.");
        // The tag goes to the mail server with the login (the answer comes back under it): only what RFC 3501 allows.
        if (!words[0].All(IsTagCharacter)) throw new FormatException("Invalid tag.");
        return new ImapCommand(words[0], words[1].ToUpperInvariant(), words.Skip(2).ToList());
    }

    private static bool IsTagCharacter(char c) => c is > ' ' and < (char)0x7F && "(){%*\"\\+]".IndexOf(c) < 0;

    /// <summary>Adds the line's words; returns the size of a literal announced at its end, if any.</summary>
    private static int? Split(string line, List<string> words)
    {
        var i = 0;
        while (i < line.Length)
        {
            if (line[i] == ' ') { i++; continue; }
            if (line[i] == '"')
            {
                var value = new StringBuilder();
                i++;
                while (true)
                {
                    if (i >= line.Length) throw new FormatException("Unterminated quoted string.");
                    var c = line[i++];
                    if (c == '"') break;
                    if (c == '\\')
                    {
                        if (i >= line.Length) throw new FormatException("Unterminated quoted string.");
                        c = line[i++];
                    }
                    value.Append(c);
                }
                words.Add(value.ToString());
                continue;
            }
            if (line[i] == '{' && line.EndsWith('}'))
            {
                var size = line.AsSpan(i + 1, line.Length - i - 2).TrimEnd('+');
                if (!int.TryParse(size, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var count))
                    throw new FormatException("Bad literal.");
                return count;
            }
            var end = line.IndexOf(' ', i);
            if (end < 0) end = line.Length;
            words.Add(line[i..end]);
            i = end;
        }
        return null;
    }
}
