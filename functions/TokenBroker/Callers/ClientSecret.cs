using System.Buffers.Text;
using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using System.Text;

namespace TokenBroker.Callers;

/// <summary>
/// A client secret as callers present it: "tbc_{id}_{random}". The id finds the record without a scan; the random
/// part (256 bits) is compared by hash. A plain SHA-256 suffices: the secret is random, not a password to guess.
/// </summary>
public static class ClientSecret
{
    private const string Prefix = "tbc_";
    private const int IdLength = 12;
    private const int RandomBytes = 32;
    private const string IdAlphabet = "abcdefghijkmnpqrstuvwxyz23456789";

    public static (string Id, string Secret, string Hash) Create()
    {
        var id = new string(RandomNumberGenerator.GetItems<char>(IdAlphabet, IdLength));
        var random = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(RandomBytes));
        return (id, $"{Prefix}{id}_{random}", HashOf(random));
    }

    /// <summary>Splits a presented secret; false for anything not shaped like one (without saying more).</summary>
    public static bool TryParse(string? presented, [NotNullWhen(true)] out string? id, [NotNullWhen(true)] out string? random)
    {
        id = random = null;
        if (presented is null || presented.Length > 128 || !presented.StartsWith(Prefix, StringComparison.Ordinal)) return false;
        var rest = presented.AsSpan(Prefix.Length);
        if (rest.Length <= IdLength + 1 || rest[IdLength] != '_') return false;
        var idPart = rest[..IdLength];
        if (idPart.ContainsAnyExcept(IdAlphabet)) return false;
        id = idPart.ToString();
        random = rest[(IdLength + 1)..].ToString();
        return true;
    }

    public static string HashOf(string random) => Base64Url.EncodeToString(SHA256.HashData(Encoding.UTF8.GetBytes(random)));

    public static bool Matches(string random, string storedHash) =>
        storedHash.Length > 0 && CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(HashOf(random)), Encoding.ASCII.GetBytes(storedHash));

    public static bool IsValidId(string? id) => id is { Length: IdLength } && !id.AsSpan().ContainsAnyExcept(IdAlphabet);
}
