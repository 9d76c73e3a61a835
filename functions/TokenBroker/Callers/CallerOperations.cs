namespace TokenBroker.Callers;

/// <summary>What a caller may do with the mailboxes its scope covers.</summary>
[Flags]
public enum CallerOperations
{
    None = 0,
    /// <summary>Send mail as the mailbox (POST /api/mail, kind send).</summary>
    Send = 1,
    /// <summary>Fetch the mailbox's mail into an operator-configured sink (POST /api/mail, kind fetch).</summary>
    Fetch = 2,
    /// <summary>Take the mailbox's access token (GET /api/mailboxes/{address}/token): the strongest power.</summary>
    Token = 4,
    /// <summary>Read the mailbox's state (GET /api/status lists only covered mailboxes).</summary>
    Status = 8,
    /// <summary>Invite consent, register app-only mailboxes, see re-consent links.</summary>
    Admin = 16,
    /// <summary>Log in through the mail bridge as the mailbox.</summary>
    Bridge = 32,
    All = Send | Fetch | Token | Status | Admin | Bridge,
}

public static class CallerOperationNames
{
    private static readonly (string Name, CallerOperations Operation)[] Names =
    [
        ("send", CallerOperations.Send), ("fetch", CallerOperations.Fetch), ("token", CallerOperations.Token),
        ("status", CallerOperations.Status), ("admin", CallerOperations.Admin), ("bridge", CallerOperations.Bridge),
    ];

    public static string Known => string.Join(", ", Names.Select(n => n.Name)) + ", all";

    /// <summary>"send,fetch" → Send | Fetch; "all" → every operation.</summary>
    public static bool TryParse(string? text, out CallerOperations operations, out string? problem)
    {
        operations = CallerOperations.None;
        problem = null;
        foreach (var part in (text ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (part.Equals("all", StringComparison.OrdinalIgnoreCase)) { operations = CallerOperations.All; continue; }
            var match = Names.FirstOrDefault(n => n.Name.Equals(part, StringComparison.OrdinalIgnoreCase));
            if (match.Name is null)
            {
                problem = $"'{part}' is not an operation; use {Known}.";
                return false;
            }
            operations |= match.Operation;
        }
        if (operations == CallerOperations.None) problem = $"Name at least one operation ({Known}).";
        return problem is null;
    }

    public static string Describe(CallerOperations operations) =>
        operations == CallerOperations.All ? "all" : string.Join(",", Names.Where(n => operations.HasFlag(n.Operation)).Select(n => n.Name));
}
