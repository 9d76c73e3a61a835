using System.Globalization;
using System.Text;

namespace TokenBroker.Mail.Imap.Wire;

/// <summary>
/// Reads the syntax of one response frame. Like go-imap's decoder it remembers its first error: every
/// method returns false once anything failed, <c>Expect*</c> methods record what was missing, and the
/// caller checks <see cref="Error"/> once at the end instead of nesting checks.
/// </summary>
internal sealed class ImapDecoder(ImapResponseFrame frame)
{
    private const int MaxNesting = 64;

    private int _segment;
    private int _position;
    private int _depth;

    public ImapResponseFrame Frame { get; } = frame;

    /// <summary>The first failure, with where it happened; null while all went well.</summary>
    public string? Error { get; private set; }

    public bool Failed => Error is not null;

    private byte[] Line => Frame.Lines[_segment];

    public bool AtEnd => !Failed && _segment == Frame.Lines.Count - 1 && _position >= Line.Length;

    public int Peek() => !Failed && _position < Line.Length ? Line[_position] : -1;

    public bool Fail(string what)
    {
        Error ??= $"{what} at byte {_position} of line {_segment + 1}";
        return false;
    }

    public bool Special(char c)
    {
        if (Peek() != c) return false;
        _position++;
        return true;
    }

    public bool ExpectSpecial(char c) => Special(c) || Fail($"expected '{c}'");

    public bool SP() => Special(' ');

    public bool ExpectSP() => ExpectSpecial(' ');

    public bool ExpectEnd() => AtEnd || Fail("expected the end of the response");

    /// <summary>An atom; <paramref name="allowCloseBracket"/> admits ']' as astrings do.</summary>
    public bool Atom(out string atom, bool allowCloseBracket = false, bool stopAtOpenBracket = false)
    {
        atom = string.Empty;
        var start = _position;
        while (Peek() is var b && b >= 0 && IsAtomChar((byte)b, allowCloseBracket) && !(stopAtOpenBracket && b is '[' or '<'))
            _position++;
        if (_position == start) return false;
        atom = Encoding.UTF8.GetString(Line, start, _position - start);
        return true;
    }

    public bool ExpectAtom(out string atom, bool allowCloseBracket = false, bool stopAtOpenBracket = false) =>
        Atom(out atom, allowCloseBracket, stopAtOpenBracket) || Fail("expected an atom");

    public bool Number(out uint number)
    {
        number = 0;
        if (!Number64(out var wide)) return false;
        if (wide > uint.MaxValue) return Fail("number out of range");
        number = (uint)wide;
        return true;
    }

    public bool ExpectNumber(out uint number) => Number(out number) || Fail("expected a number");

    public bool Number64(out ulong number)
    {
        number = 0;
        var start = _position;
        while (Peek() is >= '0' and <= '9')
        {
            var digit = (ulong)(Line[_position] - '0');
            if (number > (ulong.MaxValue - digit) / 10) return Fail("number out of range");
            number = number * 10 + digit;
            _position++;
        }
        return _position > start;
    }

    public bool ExpectNumber64(out ulong number) => Number64(out number) || Fail("expected a number");

    public bool Nil()
    {
        if (Failed || _position + 3 > Line.Length) return false;
        var span = Line.AsSpan(_position, 3);
        if (!Ascii.EqualsIgnoreCase(span, "NIL"u8)) return false;
        if (_position + 3 < Line.Length && IsAtomChar(Line[_position + 3], false)) return false;
        _position += 3;
        return true;
    }

    /// <summary>A quoted string with \" and \\ escapes, decoded as UTF-8.</summary>
    public bool Quoted(out string value)
    {
        value = string.Empty;
        if (Peek() != '"') return false;
        var bytes = new List<byte>();
        var position = _position + 1;
        while (true)
        {
            if (position >= Line.Length) return Fail("unterminated quoted string");
            var b = Line[position++];
            if (b == '"') break;
            if (b == '\\')
            {
                if (position >= Line.Length) return Fail("unterminated quoted string");
                b = Line[position++];
                if (b != '"' && b != '\\') return Fail("bad escape in quoted string");
            }
            bytes.Add(b);
        }
        _position = position;
        value = Encoding.UTF8.GetString(bytes.ToArray());
        return true;
    }

    /// <summary>A literal ({n}, {n+} or literal8 ~{n}); its bytes were read after this line fragment.</summary>
    public bool Literal(out ImapLiteral literal)
    {
        literal = null!;
        var position = _position;
        if (position < Line.Length && Line[position] == '~') position++;
        if (position >= Line.Length || Line[position] != '{') return false;
        var close = Array.IndexOf(Line, (byte)'}', position);
        if (close != Line.Length - 1) return Fail("a literal must end its line");
        if (_segment >= Frame.Literals.Count) return Fail("literal without data");
        literal = Frame.Literals[_segment];
        _segment++;
        _position = 0;
        return true;
    }

    /// <summary>A quoted string or a literal, decoded as UTF-8.</summary>
    public bool String(out string value)
    {
        if (Quoted(out value)) return true;
        if (!Literal(out var literal)) return false;
        if (literal.Data is null) return Fail("a streamed literal where a string was expected");
        value = Encoding.UTF8.GetString(literal.Data);
        return true;
    }

    public bool AString(out string value) => Atom(out value, allowCloseBracket: true) || String(out value);

    public bool ExpectAString(out string value) => AString(out value) || Fail("expected a string");

    /// <summary>NIL (value null), a quoted string or a literal.</summary>
    public bool NString(out string? value)
    {
        value = null;
        if (Nil()) return true;
        if (!String(out var text)) return false;
        value = text;
        return true;
    }

    public bool ExpectNString(out string? value) => NString(out value) || Fail("expected NIL or a string");

    /// <summary>"(" items separated by SP ")"; <paramref name="item"/> reads one item.</summary>
    public bool List(Func<bool> item)
    {
        if (!Special('(')) return false;
        if (++_depth > MaxNesting) return Fail("lists nested too deeply");
        try
        {
            if (Special(')')) return true;
            do
            {
                if (!item()) return Fail("expected a list item");
            } while (SP());
            return ExpectSpecial(')');
        }
        finally
        {
            _depth--;
        }
    }

    public bool ExpectList(Func<bool> item) => List(item) || Fail("expected a list");

    /// <summary>A flag: \Name, \* or a keyword atom.</summary>
    public bool Flag(out string flag)
    {
        flag = string.Empty;
        if (!Special('\\')) return Atom(out flag);
        if (Special('*')) { flag = "\\*"; return true; }
        if (!ExpectAtom(out var name)) return false;
        flag = "\\" + name;
        return true;
    }

    public bool ExpectFlagList(out List<string> flags)
    {
        var collected = new List<string>();
        flags = collected;
        return ExpectList(() => Flag(out var flag) && Add(collected, flag));
    }

    /// <summary>Any value, skipped: NIL, a number, an atom, a string, a literal or a nested list.</summary>
    public bool SkipValue()
    {
        if (Failed) return false;
        if (Peek() == '(') return List(SkipValue);
        if (Peek() == '\\') return Flag(out _);
        if (Quoted(out _) || Literal(out _)) return true;
        if (Atom(out _, stopAtOpenBracket: true))
        {
            // Items such as BODY[HEADER] or BODY[]<0> carry a bracketed section and an origin after the name.
            if (Special('[')) SkipSection();
            if (Special('<') && ExpectNumber64(out _)) ExpectSpecial('>');
            return !Failed;
        }
        return false;
    }

    /// <summary>The text of a bracketed section up to its ']' (the '[' is already consumed); nested lists allowed.</summary>
    public bool SkipSection() => Section(out _);

    public bool Section(out string section)
    {
        section = string.Empty;
        var start = _position;
        var depth = 0;
        while (true)
        {
            var b = Peek();
            if (b < 0) return Fail("unterminated section");
            _position++;
            if (b == '(') depth++;
            else if (b == ')') depth--;
            else if (b == ']' && depth <= 0) break;
        }
        section = Encoding.UTF8.GetString(Line, start, _position - start - 1);
        return true;
    }

    /// <summary>The rest of the current line as text (response text after a status or code).</summary>
    public string RestOfLine()
    {
        if (Failed) return string.Empty;
        var text = Encoding.UTF8.GetString(Line, _position, Line.Length - _position);
        _position = Line.Length;
        return text;
    }

    /// <summary>Raw text up to (not including) <paramref name="stop"/> on this line.</summary>
    public bool TextUntil(char stop, out string text)
    {
        text = string.Empty;
        if (Failed) return false;
        var end = Array.IndexOf(Line, (byte)stop, _position);
        if (end < 0) return Fail($"expected '{stop}'");
        text = Encoding.UTF8.GetString(Line, _position, end - _position);
        _position = end;
        return true;
    }

    public static bool IsAtomChar(byte b, bool allowCloseBracket) => b switch
    {
        (byte)'(' or (byte)')' or (byte)'{' or (byte)' ' or (byte)'%' or (byte)'*' or (byte)'"' or (byte)'\\' => false,
        (byte)']' => allowCloseBracket,
        < 0x20 or 0x7f => false,
        _ => true,
    };

    public static string FormatNumber(ulong number) => number.ToString(CultureInfo.InvariantCulture);

    private static bool Add(List<string> list, string item)
    {
        list.Add(item);
        return true;
    }
}
