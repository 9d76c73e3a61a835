using System.Globalization;
using System.Text;

namespace TokenBroker.Mail.Imap.Wire;

/// <summary>
/// A command being formatted: text parts and literals, sent by <see cref="ImapClient"/> after its tag.
/// Strings become an atom, a quoted string or a literal, whichever the content allows.
/// </summary>
internal sealed class ImapCommand
{
    private readonly List<ImapCommandPart> _parts = [];
    private readonly StringBuilder _text = new();

    public ImapCommand(string name)
    {
        Name = name;
        _text.Append(name);
    }

    /// <summary>The command name for messages (UID FETCH, AUTHENTICATE...).</summary>
    public string Name { get; }

    /// <summary>A last argument that is a credential (an AUTHENTICATE initial response): sent, never logged.</summary>
    public string? SecretArgument { get; private set; }

    public ImapCommand Secret(string argument)
    {
        _text.Append(' ');
        SecretArgument = argument;
        return this;
    }

    /// <summary>Appends SP and text exactly as given (atoms, sequence sets, item lists the client composed).</summary>
    public ImapCommand Raw(string text)
    {
        _text.Append(' ').Append(text);
        return this;
    }

    public ImapCommand Number(ulong number) => Raw(number.ToString(CultureInfo.InvariantCulture));

    /// <summary>An astring: atom when possible, else quoted, else a literal (line breaks, NUL, or 8-bit without UTF8=ACCEPT).</summary>
    public ImapCommand AString(string value, bool utf8Accepted)
    {
        if (value.Length > 0 && value.All(c => c < 0x80 && ImapDecoder.IsAtomChar((byte)c, allowCloseBracket: true)))
            return Raw(value);
        var needsLiteral = value.Any(c => c is '\r' or '\n' or '\0' || (c >= 0x80 && !utf8Accepted)) || value.Length > 1000;
        if (needsLiteral) return Literal(Encoding.UTF8.GetBytes(value));
        return Raw("\"" + value.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"");
    }

    /// <summary>A mailbox name: modified UTF-7 unless the server accepts UTF-8.</summary>
    public ImapCommand Mailbox(string name, bool utf8Accepted) =>
        AString(utf8Accepted ? name : ModifiedUtf7.Encode(name), utf8Accepted);

    public ImapCommand Literal(byte[] content) => Literal(new MemoryStream(content, writable: false), content.Length);

    public ImapCommand Literal(Stream content, long length)
    {
        _text.Append(' ');
        FlushText();
        _parts.Add(new ImapCommandPart(null, content, length));
        return this;
    }

    /// <summary>The parts to send: text, then for each literal its announcement and content, ending with CRLF.</summary>
    public IReadOnlyList<ImapCommandPart> Build()
    {
        FlushText();
        return _parts;
    }

    private void FlushText()
    {
        if (_text.Length == 0) return;
        _parts.Add(new ImapCommandPart(_text.ToString(), null, 0));
        _text.Clear();
    }
}

/// <summary>Either text or a literal's content.</summary>
internal sealed record ImapCommandPart(string? Text, Stream? Literal, long LiteralLength);
