namespace TokenBroker.Jobs.Mail.InDoubt;

/// <summary>
/// Settings "Mail:InDoubt": what the worker does with a send whose earlier attempt stopped after the message was
/// handed to the server and before its acceptance was recorded (a crash, a kill, a lost connection).
/// </summary>
public sealed class InDoubtOptions
{
    public const string Section = "Mail:InDoubt";

    /// <summary>
    /// How long after the interrupted attempt a copy may still be on its way to the Sent folder (Exchange Online
    /// saves it at submission; a relaying server may take longer). Not found before this: the check waits and looks again.
    /// </summary>
    public TimeSpan SettleTime { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The folder that holds the mailbox's sent copies; empty: the folder marked \Sent, else "Sent Items", else "Sent".</summary>
    public string? SentFolder { get; set; }

    /// <summary>When the Sent folder cannot be searched (no IMAP consent, IMAP disabled): send again, or fail the request.</summary>
    public UnverifiableInDoubtSend WhenUnverifiable { get; set; } = UnverifiableInDoubtSend.Resend;

    public void Validate()
    {
        if (SettleTime < TimeSpan.Zero || SettleTime > TimeSpan.FromMinutes(10))
            throw new InvalidOperationException($"Setting '{Section}:SettleTime' is {SettleTime}; use a value from 00:00:00 to 00:10:00.");
        if (!Enum.IsDefined(WhenUnverifiable))
            throw new InvalidOperationException($"Setting '{Section}:WhenUnverifiable' is '{WhenUnverifiable}'; use Resend or Fail.");
    }
}

/// <summary>
/// Resend: a possible duplicate (with the same Message-ID, so recipients can tell) rather than a lost message.
/// Fail: the request goes to poison with the Message-ID to look for, and a person decides.
/// </summary>
public enum UnverifiableInDoubtSend { Resend, Fail }
