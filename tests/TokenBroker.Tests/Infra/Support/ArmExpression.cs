using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace TokenBroker.Tests.Infra.Support;

/// <summary>A value only Azure knows at deployment time (reference(), a deployed resource's property).</summary>
internal sealed record DeploymentTimeValue(string Expression)
{
    public override string ToString() => $"<{Expression}>";
}

/// <summary>
/// Evaluates the subset of ARM template expressions the TokenBroker template uses, so tests can read the
/// values Azure would compute. Functions that need Azure (reference) yield a <see cref="DeploymentTimeValue"/>;
/// uniqueString and guid are deterministic stand-ins (same inputs, same output), not Azure's exact algorithm.
/// An unknown function fails loudly, so the template cannot silently outgrow what the tests understand.
/// Values: string, long, bool, null, Dictionary (case-insensitive keys), List, DeploymentTimeValue.
/// </summary>
internal sealed partial class ArmExpression
{
    private readonly string _text;
    private readonly ArmEvaluationContext _context;
    private int _position;

    private ArmExpression(string text, ArmEvaluationContext context)
    {
        _text = text;
        _context = context;
    }

    /// <summary>A template string: "[expr]" is evaluated, "[[..." is the literal "[...", anything else is itself.</summary>
    public static object? EvaluateString(string value, ArmEvaluationContext context)
    {
        if (value.StartsWith("[[", StringComparison.Ordinal)) return value[1..];
        if (!(value.StartsWith('[') && value.EndsWith(']'))) return value;
        var parser = new ArmExpression(value[1..^1], context);
        var result = parser.ParseExpression();
        parser.SkipSpaces();
        if (parser._position != parser._text.Length)
            throw new FormatException($"Unexpected text at {parser._position} in ARM expression '{value}'.");
        return result;
    }

    private object? ParseExpression()
    {
        SkipSpaces();
        var value = ParsePrimary();
        while (true)
        {
            SkipSpaces();
            if (TryConsume('.'))
                value = Member(value, ReadIdentifier());
            else if (TryConsume('['))
            {
                var index = ParseExpression();
                Expect(']');
                value = index is long i ? ((List<object?>)value!)[(int)i] : Member(value, (string)index!);
            }
            else
                return value;
        }
    }

    private object? ParsePrimary()
    {
        if (Peek() == '\'') return ReadString();
        if (char.IsDigit(Peek()) || Peek() == '-') return ReadNumber();
        var name = ReadIdentifier();
        Expect('(');
        var arguments = new List<Func<object?>>();
        SkipSpaces();
        if (!TryConsume(')'))
        {
            do
            {
                // Arguments are parsed now and evaluated on demand, so if() only evaluates the branch it takes.
                var start = _position;
                SkipArgument();
                var argumentText = _text[start.._position];
                arguments.Add(() => new ArmExpression(argumentText, _context).ParseWhole());
                SkipSpaces();
            } while (TryConsume(','));
            Expect(')');
        }
        return ArmFunctions.Call(name, arguments, _context);
    }

    private object? ParseWhole()
    {
        var value = ParseExpression();
        SkipSpaces();
        if (_position != _text.Length) throw new FormatException($"Unexpected text in ARM expression argument '{_text}'.");
        return value;
    }

    /// <summary>Moves past one argument: up to the next ',' or ')' at nesting depth zero, outside strings.</summary>
    private void SkipArgument()
    {
        var depth = 0;
        while (_position < _text.Length)
        {
            var c = _text[_position];
            if (c == '\'') { ReadString(); continue; }
            if (c is '(' or '[') depth++;
            else if (c is ')' or ']')
            {
                if (depth == 0) return;
                depth--;
            }
            else if (c == ',' && depth == 0) return;
            _position++;
        }
    }

    private static object? Member(object? target, string name) => target switch
    {
        Dictionary<string, object?> map => map.TryGetValue(name, out var value) ? value : throw new KeyNotFoundException($"Property '{name}' does not exist."),
        DeploymentTimeValue unknown => new DeploymentTimeValue($"{unknown.Expression}.{name}"),
        _ => throw new InvalidOperationException($"Cannot read property '{name}' of {target ?? "null"}."),
    };

    private string ReadString()
    {
        Expect('\'');
        var builder = new StringBuilder();
        while (true)
        {
            if (_position >= _text.Length) throw new FormatException($"Unterminated string in '{_text}'.");
            var c = _text[_position++];
            if (c == '\'')
            {
                if (_position < _text.Length && _text[_position] == '\'') { builder.Append('\''); _position++; continue; }
                return builder.ToString();
            }
            builder.Append(c);
        }
    }

    private long ReadNumber()
    {
        var start = _position;
        if (Peek() == '-') _position++;
        while (_position < _text.Length && char.IsDigit(_text[_position])) _position++;
        return long.Parse(_text[start.._position], CultureInfo.InvariantCulture);
    }

    private string ReadIdentifier()
    {
        SkipSpaces();
        var start = _position;
        while (_position < _text.Length && (char.IsAsciiLetterOrDigit(_text[_position]) || _text[_position] == '_')) _position++;
        if (start == _position) throw new FormatException($"Expected a name at {start} in ARM expression '{_text}'.");
        return _text[start.._position];
    }

    private char Peek()
    {
        SkipSpaces();
        return _position < _text.Length ? _text[_position] : '\0';
    }

    private bool TryConsume(char c)
    {
        if (Peek() != c) return false;
        _position++;
        return true;
    }

    private void Expect(char c)
    {
        if (!TryConsume(c)) throw new FormatException($"Expected '{c}' at {_position} in ARM expression '{_text}'.");
    }

    private void SkipSpaces()
    {
        while (_position < _text.Length && _text[_position] == ' ') _position++;
    }

    /// <summary>A stable stand-in for Azure's hash functions: the same inputs always give the same text.</summary>
    internal static string StableHash(IEnumerable<string> parts) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join("\u0001", parts))));
}
