using System.Text;

namespace TokenBroker.Mail.Imap.Wire;

/// <summary>
/// One response as read off the wire: its line fragments without CRLF, and after each fragment but the
/// last, the literal that fragment announced with {n}.
/// </summary>
internal sealed class ImapResponseFrame
{
    public List<byte[]> Lines { get; } = [];
    public List<ImapLiteral> Literals { get; } = [];

    public static ImapResponseFrame FromLine(string line)
    {
        var frame = new ImapResponseFrame();
        frame.Lines.Add(Encoding.UTF8.GetBytes(line));
        return frame;
    }

    /// <summary>The response as text for error messages; literal contents are summarised, long text is cut.</summary>
    public override string ToString()
    {
        const int MaxLength = 600;
        var text = new StringBuilder();
        for (var i = 0; i < Lines.Count && text.Length < MaxLength; i++)
        {
            text.Append(Encoding.UTF8.GetString(Lines[i]));
            if (i < Literals.Count)
                text.Append(Literals[i].Data is { Length: <= 80 } small ? Encoding.UTF8.GetString(small) : $"<{Literals[i].Length} bytes>");
        }
        return text.Length > MaxLength ? text.ToString(0, MaxLength) + "..." : text.ToString();
    }
}
