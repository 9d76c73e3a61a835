namespace TokenBroker.Callers;

/// <summary>
/// Settings "Callers": accept Entra ID access tokens from calling apps (a managed identity, an app registration)
/// as credentials, mapped to clients by object id. Off unless <see cref="EntraAudience"/> is set.
/// </summary>
public sealed class EntraCallerOptions
{
    public const string Section = "Callers";

    /// <summary>The audience the tokens must be for: the broker's Application ID URI (e.g. api://tokenbroker) or client id.</summary>
    public string? EntraAudience { get; set; }

    /// <summary>The tenant whose tokens count; default OAuth:TenantId.</summary>
    public string? EntraTenantId { get; set; }
}
