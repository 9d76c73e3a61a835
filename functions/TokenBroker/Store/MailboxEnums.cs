namespace TokenBroker.Store;

/// <summary>How the broker obtains tokens for a mailbox.</summary>
public enum MailboxMode
{
    /// <summary>A user (the mailbox owner or, for a shared mailbox, its delegate) signed in and consented; tokens come from their refresh token.</summary>
    Delegated,

    /// <summary>Client credentials with the *.AccessAsApp / SMTP.SendAsApp application permissions; no user sign-in.</summary>
    AppOnly,
}

/// <summary>The mail protocols the broker serves for a mailbox; decides which scopes are requested.</summary>
[Flags]
public enum MailProtocols
{
    None = 0,
    Imap = 1,
    Pop3 = 2,
    Smtp = 4,
}

/// <summary>Where a mailbox stands in its life cycle.</summary>
public enum MailboxState
{
    /// <summary>Registered; a consent link was issued and its callback has not arrived yet.</summary>
    PendingConsent,

    /// <summary>Tokens can be obtained.</summary>
    Connected,

    /// <summary>The grant is gone (expired refresh token, revoked, MFA or consent required): a person must sign in again.</summary>
    NeedsConsent,

    /// <summary>The broker's own client credential is expired or invalid; affects every mailbox until an operator fixes it.</summary>
    BrokenCredential,

    /// <summary>An operator switched the mailbox off; nothing is refreshed or sent.</summary>
    Disabled,
}

/// <summary>How a mailbox's refresh token was issued, and so how every later redemption must present the app.</summary>
public enum MailboxClientKind
{
    /// <summary>To the broker's app with its client secret or certificate (browser consent, the broker's device flow with a secret, most imports).</summary>
    Confidential = 0,

    /// <summary>To the app as a public client, without a credential (MSAL's device code flow in the local CLI, a public tool's token imported).</summary>
    Public = 1,
}
