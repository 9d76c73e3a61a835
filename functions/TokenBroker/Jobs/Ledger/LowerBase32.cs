namespace TokenBroker.Jobs.Ledger;

/// <summary>RFC 4648 base32 in lower case without padding: safe in Message-IDs, blob names and file names on any file system.</summary>
internal static class LowerBase32
{
    private const string Alphabet = "abcdefghijklmnopqrstuvwxyz234567";

    public static string Encode(ReadOnlySpan<byte> data)
    {
        var output = new char[(data.Length * 8 + 4) / 5];
        int buffer = 0, bits = 0, index = 0;
        foreach (var b in data)
        {
            buffer = (buffer << 8) | b;
            bits += 8;
            while (bits >= 5)
            {
                bits -= 5;
                output[index++] = Alphabet[(buffer >> bits) & 31];
            }
        }
        if (bits > 0) output[index++] = Alphabet[(buffer << (5 - bits)) & 31];
        return new string(output, 0, index);
    }
}
