namespace TokenBroker.Callers;

/// <summary>An authenticated caller: which client it is and what it may do to which mailboxes.</summary>
public sealed record Caller(string Name, MailboxScope Mailboxes, CallerOperations Operations)
{
    public bool May(CallerOperations operation) => (Operations & operation) == operation;

    public bool May(CallerOperations operation, string mailbox) => May(operation) && Mailboxes.Covers(mailbox);
}
