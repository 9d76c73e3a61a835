namespace TokenBroker.Mail.Imap;

public enum ImapStatus { Ok, No, Bad, Bye, Preauth }

/// <summary>
/// A status response as the server sent it: <c>A3 NO [AUTHENTICATIONFAILED] Authentication failed.</c>
/// (<see cref="Tag"/> is null for untagged ones).
/// </summary>
public sealed record ImapStatusResponse(string? Tag, ImapStatus Status, string? Code, string? CodeArguments, string Text)
{
    /// <summary>The reply line as received, for messages and logs.</summary>
    public override string ToString()
    {
        var code = Code is null ? "" : CodeArguments is null ? $"[{Code}] " : $"[{Code} {CodeArguments}] ";
        return $"{Tag ?? "*"} {Status.ToString().ToUpperInvariant()} {code}{Text}".TrimEnd();
    }
}
