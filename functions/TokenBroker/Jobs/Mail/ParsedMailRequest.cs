namespace TokenBroker.Jobs.Mail;

/// <summary>
/// The outcome of reading a mail request: exactly one of <see cref="Send"/> / <see cref="Fetch"/> when
/// <see cref="Problems"/> is empty. <see cref="Id"/> and <see cref="Mailbox"/> are filled as far as they could be read,
/// so a rejection can still be reported against them.
/// </summary>
public sealed record ParsedMailRequest(
    string? Kind,
    string? Id,
    string? Mailbox,
    SendRequest? Send,
    FetchRequest? Fetch,
    IReadOnlyList<string> Problems)
{
    public bool IsValid => Problems.Count == 0;
}
