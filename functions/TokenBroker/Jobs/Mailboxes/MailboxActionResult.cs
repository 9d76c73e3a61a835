namespace TokenBroker.Jobs.Mailboxes;

/// <summary>What an operator's action on a mailbox did: the state it is in afterwards and, in words, why.</summary>
/// <param name="State">Null after a removal.</param>
/// <param name="Succeeded">False when the action ran but its outcome is a failure (a refresh the identity provider refused).</param>
public sealed record MailboxActionResult(string Address, string Action, bool Succeeded, string? State, string Message, DateTimeOffset? AccessTokenExpiresAt = null);

/// <summary>An action that cannot be done on this mailbox now (unknown, disabled): the status code and the sentence to show.</summary>
public sealed class MailboxActionRefusedException(int statusCode, string message) : Exception(message)
{
    public int StatusCode { get; } = statusCode;
}
