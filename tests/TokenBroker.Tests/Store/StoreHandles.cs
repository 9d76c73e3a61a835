using TokenBroker.Store;

namespace TokenBroker.Tests.Store;

/// <summary>One instance of a token store implementation (as one broker process would hold it).</summary>
public sealed record StoreHandles(IMailboxRegistry Mailboxes, ITokenCacheStore TokenCaches, IBrokerSecrets Secrets, IAsyncDisposable? Owner = null);

internal static class TestMailboxes
{
    public static readonly DateTimeOffset Created = new(2026, 11, 21, 20, 0, 0, TimeSpan.Zero);

    public static Mailbox Connected(string address = "alice@contoso.example") => new(
        Address: address,
        TenantId: "0f6a7d5e-1a2b-4c3d-9e8f-123456789abc",
        Mode: MailboxMode.Delegated,
        Protocols: MailProtocols.Imap | MailProtocols.Smtp,
        DelegateAddress: null,
        State: MailboxState.Connected,
        StateReason: null,
        CreatedAt: Created,
        UpdatedAt: Created.AddMinutes(5),
        LastRefreshAt: Created.AddMinutes(5),
        AccessTokenExpiresAt: Created.AddMinutes(80),
        LastError: null,
        HomeAccountId: "00000000-0000-0000-0000-00000000a11c.0f6a7d5e-1a2b-4c3d-9e8f-123456789abc",
        GrantedScopes: ["https://outlook.office.com/IMAP.AccessAsUser.All", "https://outlook.office.com/SMTP.Send", "offline_access"],
        PendingConsent: null);

    public static Mailbox AwaitingConsent(string address, string codeVerifier) => Connected(address) with
    {
        State = MailboxState.PendingConsent,
        LastRefreshAt = null,
        AccessTokenExpiresAt = null,
        HomeAccountId = null,
        GrantedScopes = [],
        DelegateAddress = "bob.delegate@contoso.example",
        PendingConsent = new PendingConsent("nonce-hash-3f9a", codeVerifier, Created.AddMinutes(15)),
    };

    /// <summary>Records hold a list, so compare their JSON-relevant content field by field.</summary>
    public static void AssertSame(Mailbox expected, Mailbox actual)
    {
        Assert.Equal(expected with { GrantedScopes = [] }, actual with { GrantedScopes = [] });
        Assert.Equal(expected.GrantedScopes, actual.GrantedScopes);
    }
}
