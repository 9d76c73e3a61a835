using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;
using TokenBroker.Store;

namespace TokenBroker.OAuth.DeviceCode;

/// <summary>
/// What a remote device-code consent must remember between its start and its polls, carried by the caller as an
/// opaque handle: AES-GCM under a key every broker instance shares (no store write, any instance can answer a poll).
/// Encrypted, not only signed, because the device code lets whoever holds it collect the tokens once the person signs
/// in: the admin who started the consent gets the handle, never the device code.
/// </summary>
public sealed record DeviceConsentPayload(
    [property: JsonPropertyName("m")] string Mailbox,
    [property: JsonPropertyName("d")] string? DelegateAddress,
    [property: JsonPropertyName("p")] MailProtocols Protocols,
    [property: JsonPropertyName("r")] bool ReplaceAccount,
    [property: JsonPropertyName("t")] string TenantId,
    [property: JsonPropertyName("c")] string DeviceCode,
    [property: JsonPropertyName("i")] int Interval,
    [property: JsonPropertyName("e")] long ExpiresAtUnixSeconds)
{
    public ConsentTarget Target => new(Mailbox, DelegateAddress, Protocols, ReplaceAccount);

    public override string ToString() => $"DeviceConsentPayload {{ Mailbox = {Mailbox}, DeviceCode = ***, ExpiresAt = {ExpiresAtUnixSeconds} }}";
}

public sealed class DeviceConsentHandles(IBrokerSecrets secrets)
{
    public const string KeyName = "device-consent-key";
    public const int MaxLength = 8192;
    private const int NonceSize = 12;
    private const int TagSize = 16;

    public async Task<string> SealAsync(DeviceConsentPayload payload, CancellationToken cancellationToken = default)
    {
        var key = await secrets.GetOrCreateKeyAsync(KeyName, 32, cancellationToken).ConfigureAwait(false);
        var plain = JsonSerializer.SerializeToUtf8Bytes(payload);
        var sealedBytes = new byte[NonceSize + plain.Length + TagSize];
        var nonce = sealedBytes.AsSpan(0, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(key, TagSize);
        aes.Encrypt(nonce, plain, sealedBytes.AsSpan(NonceSize, plain.Length), sealedBytes.AsSpan(NonceSize + plain.Length));
        return Base64Url.EncodeToString(sealedBytes);
    }

    /// <summary>The payload, or null when the handle is damaged, forged or sealed under another key.</summary>
    public async Task<DeviceConsentPayload?> OpenAsync(string? handle, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrEmpty(handle) || handle.Length > MaxLength) return null;
        byte[] sealedBytes;
        try { sealedBytes = Base64Url.DecodeFromChars(handle); }
        catch (FormatException) { return null; }
        if (sealedBytes.Length <= NonceSize + TagSize) return null;
        var key = await secrets.GetOrCreateKeyAsync(KeyName, 32, cancellationToken).ConfigureAwait(false);
        var plain = new byte[sealedBytes.Length - NonceSize - TagSize];
        try
        {
            using var aes = new AesGcm(key, TagSize);
            aes.Decrypt(sealedBytes.AsSpan(0, NonceSize), sealedBytes.AsSpan(NonceSize, plain.Length), sealedBytes.AsSpan(NonceSize + plain.Length), plain);
            return JsonSerializer.Deserialize<DeviceConsentPayload>(plain);
        }
        catch (Exception e) when (e is CryptographicException or JsonException)
        {
            return null;
        }
    }
}
