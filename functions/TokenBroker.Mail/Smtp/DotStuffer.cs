namespace TokenBroker.Mail.Smtp;

/// <summary>
/// Turns message bytes into DATA content (RFC 5321 §4.5.2): a '.' at the start of a line is doubled and
/// bare LF becomes CRLF, chunk by chunk, so a message streams through without being held in memory.
/// For BDAT (no dot-stuffing) only the line ends are normalised.
/// </summary>
internal struct DotStuffer
{
    private readonly bool _stuffDots;
    private bool _atLineStart;
    private bool _previousWasCarriageReturn;

    public DotStuffer() : this(stuffDots: true) { }

    public DotStuffer(bool stuffDots)
    {
        _stuffDots = stuffDots;
        _atLineStart = true;
    }

    /// <summary>True when the content written so far ends with a line break.</summary>
    public readonly bool EndsWithLineBreak => _atLineStart;

    /// <summary>The largest output one call can produce: every byte doubled.</summary>
    public static int MaxOutputLength(int inputLength) => inputLength * 2;

    /// <summary>Converts <paramref name="input"/> into <paramref name="output"/> (at least twice as long); returns the bytes written.</summary>
    public int Process(ReadOnlySpan<byte> input, Span<byte> output)
    {
        var written = 0;
        foreach (var b in input)
        {
            if (b == (byte)'\n')
            {
                if (!_previousWasCarriageReturn)
                    output[written++] = (byte)'\r';
                output[written++] = b;
                _atLineStart = true;
                _previousWasCarriageReturn = false;
                continue;
            }
            if (_stuffDots && _atLineStart && b == (byte)'.')
                output[written++] = (byte)'.';
            output[written++] = b;
            _atLineStart = false;
            _previousWasCarriageReturn = b == (byte)'\r';
        }
        return written;
    }

    /// <summary>The end of DATA: a line break if the content lacks a final one, then ".\r\n".</summary>
    public readonly ReadOnlySpan<byte> Terminator => _atLineStart ? ".\r\n"u8 : "\r\n.\r\n"u8;
}
