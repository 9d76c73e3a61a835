namespace TokenBroker.Jobs.Mail;

/// <summary>Settings "Mail" that bound what a request may carry.</summary>
public sealed class MailRequestLimits
{
    /// <summary>Largest message (bodies plus decoded attachments), like Exchange Online's 35 MB default.
    /// A queue message is at most 64 KB, so through the queue attachments stay small anyway.</summary>
    public long MaxMessageBytes { get; set; } = 35L * 1024 * 1024;
}
