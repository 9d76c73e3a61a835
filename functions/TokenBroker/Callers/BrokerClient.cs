namespace TokenBroker.Callers;

/// <summary>
/// A caller the operator registered: an app, a script, the local CLI. The broker keeps only the hash of its secret.
/// </summary>
/// <param name="Id">Random, public: it is the first part of the secret and names the stored record.</param>
/// <param name="Name">The operator's name for it, unique ("helpdesk", "printer-3").</param>
/// <param name="SecretHash">SHA-256 of the secret's random part (base64url); the secret itself is shown once. Empty for a
/// client that signs in only with Entra ID.</param>
public sealed record BrokerClient(
    string Id,
    string Name,
    string SecretHash,
    MailboxScope Mailboxes,
    CallerOperations Operations,
    DateTimeOffset CreatedAt)
{
    /// <summary>The object id of the app or managed identity whose Entra ID tokens also identify this client.</summary>
    public string? EntraObjectId { get; init; }

    public const int MaxNameLength = 64;

    public static bool IsValidName(string? name) =>
        !string.IsNullOrEmpty(name) && name.Length <= MaxNameLength && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.');

    public override string ToString() => $"BrokerClient {{ Id = {Id}, Name = {Name}, Mailboxes = {Mailboxes}, Operations = {CallerOperationNames.Describe(Operations)} }}";
}
