namespace TokenBroker.OAuth;

/// <summary>What the AADSTS codes a mail broker meets mean, in words an administrator can act on.</summary>
public static class AadstsCatalog
{
    private static readonly Dictionary<int, string> Meanings = new()
    {
        [65001] = "The user or an administrator has not consented to the permissions the broker asks for; grant consent (admin consent for the tenant if users may not consent) and start the consent link again.",
        [65004] = "The user declined to consent to the broker's permissions; start the consent link again and accept.",
        [700082] = "The refresh token expired because it was not used for too long; sign in again through a new consent link.",
        [50173] = "The grant is no longer valid, usually after a password change or an administrator revoked the sessions; sign in again through a new consent link.",
        [50133] = "The session is no longer valid after a password change or a revocation; sign in again through a new consent link.",
        [70008] = "The authorization code or refresh token expired or was revoked; sign in again through a new consent link.",
        [70043] = "A Conditional Access sign-in frequency policy requires signing in again; use a new consent link (or exempt the broker's account from that policy).",
        [50076] = "Multi-factor authentication is required for this account; sign in again through a new consent link and complete MFA.",
        [50079] = "The account must register for multi-factor authentication; register, then use a new consent link.",
        [50126] = "The user name or password was wrong.",
        [50034] = "The signed-in account does not exist in this tenant.",
        [50020] = "The account comes from a tenant that is not allowed to use this application.",
        [53003] = "A Conditional Access policy blocked the sign-in; ask an administrator to allow the broker.",
        [7000222] = "The broker's client secret has expired; create a new one in the app registration and update OAuth:ClientSecret. Every mailbox is affected.",
        [7000215] = "The broker's client secret is invalid; copy the secret's value (not its id) from the app registration into OAuth:ClientSecret. Every mailbox is affected.",
        [700027] = "The broker's client certificate is not accepted; upload the certificate to the app registration or fix OAuth:CertificatePath / OAuth:CertificateKeyVaultSecretName. Every mailbox is affected.",
        [700025] = "This mailbox's refresh token was issued to a public client (a device code sign-in without the broker's credential) and was presented with the broker's client secret or certificate; connect the mailbox again (a consent link, or `tokenbroker consent MAILBOX --device-code`).",
        [700016] = "The application (OAuth:ClientId) is not registered in this tenant; check the client id and the tenant, or grant admin consent there.",
        [54005] = "This sign-in link was already used (its authorization code has been redeemed); start the consent link again.",
        [50011] = "The redirect address does not match the app registration's; register OAuth:RedirectUri there exactly.",
        [9002313] = "The sign-in request was malformed or the link was altered; start the consent link again.",
        [90094] = "An administrator must grant consent for these permissions; ask a tenant administrator to open the admin consent link.",
        [90095] = "An administrator must approve these permissions; an admin consent request was raised.",
        [65002] = "Consent between the broker and the Exchange Online API must be configured by Microsoft or an administrator.",
        [500011] = "The resource (Office 365 Exchange Online) is not present in this tenant; the tenant needs an Exchange Online licence.",
    };

    public static string? Describe(int code) => Meanings.GetValueOrDefault(code);

    /// <summary>The first AADSTS code in a text such as an error_description, or null.</summary>
    public static int? FindCode(string? text)
    {
        if (string.IsNullOrEmpty(text)) return null;
        var at = text.IndexOf("AADSTS", StringComparison.Ordinal);
        if (at < 0) return null;
        var digits = text.AsSpan(at + 6);
        var length = 0;
        while (length < digits.Length && char.IsAsciiDigit(digits[length])) length++;
        return length > 0 && int.TryParse(digits[..length], out var code) ? code : null;
    }
}
