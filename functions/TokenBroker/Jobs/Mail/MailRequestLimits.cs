namespace TokenBroker.Jobs.Mail;

/// <summary>Settings "Mail" that bound what a request may carry.</summary>
public sealed class MailRequestLimits
{
    /// <summary>Largest message (bodies plus decoded attachments), like Exchange Online's 35 MB default.
    /// A queue message is at most 64 KB, so through the queue attachments stay small anyway.</summary>
    public long MaxMessageBytes { get; set; } = 35L * 1024 * 1024;

    /// <summary>Recipients of one message, To, Cc and Bcc together: Exchange Online accepts at most 500.</summary>
    public int MaxRecipients { get; set; } = 500;

    /// <summary>Attachments of one message, like Exchange Online's limit of 250.</summary>
    public int MaxAttachments { get; set; } = 250;

    /// <summary>Extra header fields one request may set.</summary>
    public int MaxHeaders { get; set; } = 50;
}
