using TokenBroker.Store;

namespace TokenBroker.OAuth.Import;

/// <summary>
/// One row of an import file: a mailbox and the refresh token another tool holds for it. The token never appears in
/// <see cref="ToString"/>, logs or messages.
/// </summary>
/// <param name="Line">Where the row is in the file (1-based), for the report.</param>
/// <param name="ClientId">The application the refresh token was issued to; empty means the broker's own.</param>
/// <param name="Tenant">The tenant (GUID or domain); empty means OAuth:TenantId.</param>
public sealed record ImportedMailbox(int Line, string Address, string RefreshToken, string? ClientId, string? Tenant, MailProtocols Protocols, string? DelegateAddress)
{
    public override string ToString() =>
        $"ImportedMailbox {{ Line = {Line}, Address = {Address}, RefreshToken = ***, ClientId = {ClientId}, Tenant = {Tenant}, Protocols = {Protocols}, DelegateAddress = {DelegateAddress} }}";
}

/// <summary>A row that could not be read: its line and why, never its content.</summary>
public sealed record ImportRowProblem(int Line, string? Address, string Reason);

/// <summary>Thrown when the file as a whole cannot be imported (too large, too many rows, not JSON/CSV); the message is the sentence to show.</summary>
public sealed class ImportFileException(string message) : Exception(message);
