namespace TokenBroker.Mail.Imap.Wire;

internal enum ImapResponseKind { Continuation, Status, Data }

/// <summary>
/// The top level of one response: a continuation request (+ text), a status response (tagged or
/// untagged OK/NO/BAD/BYE/PREAUTH), or untagged data (<c>* 3 EXISTS</c>, <c>* CAPABILITY ...</c>,
/// <c>* 5 FETCH (...)</c>) whose decoder is left just after the name for the command that wants it.
/// </summary>
internal sealed class ImapResponse
{
    private ImapResponse(ImapResponseKind kind, ImapDecoder decoder) => (Kind, Decoder) = (kind, decoder);

    public ImapResponseKind Kind { get; }
    public ImapDecoder Decoder { get; }
    public string ContinuationText { get; private init; } = string.Empty;
    public ImapStatusResponse? Status { get; private init; }

    /// <summary>Upper-case data name: EXISTS, FETCH, CAPABILITY, LIST, SEARCH...</summary>
    public string Name { get; private init; } = string.Empty;

    /// <summary>The message number before the name (<c>* 5 FETCH</c>), if any.</summary>
    public uint? Number { get; private init; }

    public string Raw => Decoder.Frame.ToString();

    /// <summary>Reads the top level; a syntax error is a MailProtocolException carrying the response.</summary>
    public static ImapResponse Parse(ImapResponseFrame frame)
    {
        var decoder = new ImapDecoder(frame);
        if (decoder.Special('+'))
        {
            decoder.SP();
            return new ImapResponse(ImapResponseKind.Continuation, decoder) { ContinuationText = decoder.RestOfLine() };
        }

        string? tag = null;
        if (!decoder.Special('*'))
        {
            if (!decoder.Atom(out var tagAtom)) throw Malformed(decoder, "expected '*', '+' or a tag");
            tag = tagAtom;
        }
        decoder.ExpectSP();

        if (tag is null && decoder.Number(out var number))
        {
            decoder.ExpectSP();
            decoder.ExpectAtom(out var numberedName);
            ThrowIfFailed(decoder);
            return new ImapResponse(ImapResponseKind.Data, decoder) { Name = numberedName.ToUpperInvariant(), Number = number };
        }

        decoder.ExpectAtom(out var name);
        ThrowIfFailed(decoder);
        if (TryParseStatus(name) is { } status)
            return new ImapResponse(ImapResponseKind.Status, decoder) { Status = ReadStatusRest(decoder, tag, status) };
        if (tag is not null) throw Malformed(decoder, $"a tagged response must be OK, NO or BAD, not '{name}'");
        return new ImapResponse(ImapResponseKind.Data, decoder) { Name = name.ToUpperInvariant() };
    }

    public static MailProtocolException Malformed(ImapDecoder decoder, string? what = null) =>
        new($"Malformed IMAP response ({what ?? decoder.Error}).", decoder.Frame.ToString());

    public static void ThrowIfFailed(ImapDecoder decoder)
    {
        if (decoder.Failed) throw Malformed(decoder);
    }

    private static ImapStatus? TryParseStatus(string atom) => atom.ToUpperInvariant() switch
    {
        "OK" => ImapStatus.Ok,
        "NO" => ImapStatus.No,
        "BAD" => ImapStatus.Bad,
        "BYE" => ImapStatus.Bye,
        "PREAUTH" => ImapStatus.Preauth,
        _ => null,
    };

    private static ImapStatusResponse ReadStatusRest(ImapDecoder decoder, string? tag, ImapStatus status)
    {
        string? code = null, arguments = null;
        if (decoder.SP() && decoder.Special('['))
        {
            decoder.ExpectAtom(out var codeAtom);
            code = codeAtom.ToUpperInvariant();
            if (decoder.SP() && decoder.TextUntil(']', out var text)) arguments = text;
            decoder.ExpectSpecial(']');
            decoder.SP();
        }
        var rest = decoder.RestOfLine();
        decoder.ExpectEnd();
        ThrowIfFailed(decoder);
        return new ImapStatusResponse(tag, status, code, arguments, rest);
    }
}
