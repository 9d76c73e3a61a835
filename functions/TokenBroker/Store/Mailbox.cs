namespace TokenBroker.Store;

/// <summary>
/// A consent flow in progress. <see cref="CodeVerifier"/> is the PKCE secret: the stores keep it only encrypted
/// (a Key Vault secret value, or a DataProtection-protected row), never in names, tags or logs.
/// </summary>
/// <param name="NonceHash">Hash of the nonce carried in the consent state parameter (the nonce itself is never stored).</param>
/// <param name="CodeVerifier">The PKCE code verifier sent with the authorization code redemption.</param>
/// <param name="ExpiresAt">After this the consent link is dead and the callback must be refused.</param>
public sealed record PendingConsent(string NonceHash, string CodeVerifier, DateTimeOffset ExpiresAt)
{
    /// <summary>Keeps the verifier out of logs and exception messages that print the record.</summary>
    public override string ToString() => $"PendingConsent {{ NonceHash = {NonceHash}, CodeVerifier = ***, ExpiresAt = {ExpiresAt:O} }}";
}

/// <summary>
/// One mailbox the broker serves. <see cref="Address"/> is the registry key, compared case-insensitively.
/// </summary>
/// <param name="Address">The mailbox's SMTP address (for a shared mailbox, the shared address used as SASL user).</param>
/// <param name="TenantId">The Entra tenant (GUID) the mailbox lives in.</param>
/// <param name="DelegateAddress">Shared mailbox only: the user who signs in and whose token is used; null otherwise.</param>
/// <param name="StateReason">Why the mailbox is in <see cref="State"/> (e.g. "AADSTS700082"); never a token or a server reply carrying one.</param>
/// <param name="LastError">The last refresh/send failure in a form safe to show an operator.</param>
/// <param name="HomeAccountId">MSAL's account identifier ("oid.tid") once a user signed in; also the MSAL token cache key.</param>
/// <param name="GrantedScopes">Scopes actually granted by the last token response.</param>
public sealed record Mailbox(
    string Address,
    string TenantId,
    MailboxMode Mode,
    MailProtocols Protocols,
    string? DelegateAddress,
    MailboxState State,
    string? StateReason,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    DateTimeOffset? LastRefreshAt,
    DateTimeOffset? AccessTokenExpiresAt,
    string? LastError,
    string? HomeAccountId,
    IReadOnlyList<string> GrantedScopes,
    PendingConsent? PendingConsent)
{
    /// <summary>
    /// Set while transient refresh failures make the refresh timer wait; cleared by the next successful token
    /// request. Left out of the JSON when null, so records written before it existed keep their exact bytes.
    /// </summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public MailboxBackoff? Backoff { get; init; }

    /// <summary>
    /// Consent invitations issued up to this instant are spent: set to the issue time of the invitation whose consent
    /// completed, so it and every older one stop working. Left out of the JSON when null.
    /// </summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public DateTimeOffset? ConsentInvitationsRetiredUpTo { get; init; }

    /// <summary>
    /// The token cache the last keep-alive wrote with the record (see <see cref="MailboxTokens"/>); null until the
    /// first one, and left out of the JSON then. Both stores keep the record encrypted at rest.
    /// </summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public MailboxTokens? Tokens { get; init; }

    /// <summary>
    /// The kind of client the refresh token was issued to, which every later redemption must be (Entra refuses a
    /// public client's refresh token presented with a client secret: AADSTS700025). Confidential (the default, and
    /// what records written before it existed are) is left out of the JSON, so those records keep their exact bytes.
    /// </summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingDefault)]
    public MailboxClientKind ClientKind { get; init; }
}
