using Azure.Core;
using Azure.Identity;
using Microsoft.Extensions.Configuration;

namespace TokenBroker.StorageAccount;

/// <summary>
/// The <see cref="TokenCredential"/> an identity-based connection asks for, as the Functions host reads it:
/// <c>__credential=managedidentity</c> (with <c>__clientId</c> for a user-assigned identity); <c>__tenantId</c> +
/// <c>__clientId</c> + <c>__clientSecret</c> for an app registration; otherwise <see cref="DefaultAzureCredential"/>.
/// </summary>
internal static class IdentitySettingsCredential
{
    public static TokenCredential Create(IConfigurationSection section, string name)
    {
        var kind = section["credential"];
        var clientId = section["clientId"];
        if (kind is { Length: > 0 })
        {
            if (!kind.Equals("managedidentity", StringComparison.OrdinalIgnoreCase))
                throw new InvalidOperationException($"Setting '{name}__credential': '{kind}' is not supported; the only value is 'managedidentity'.");
            return new ManagedIdentityCredential(string.IsNullOrEmpty(clientId)
                ? ManagedIdentityId.SystemAssigned
                : ManagedIdentityId.FromUserAssignedClientId(clientId));
        }
        if (section["tenantId"] is { Length: > 0 } tenantId && section["clientSecret"] is { Length: > 0 } secret)
        {
            if (string.IsNullOrEmpty(clientId))
                throw new InvalidOperationException($"Setting '{name}__clientId' is required with '{name}__tenantId' and '{name}__clientSecret'.");
            return new ClientSecretCredential(tenantId, clientId, secret);
        }
        // Tries environment, workload and managed identity, then developer sign-ins. It probes the instance metadata
        // address when nothing else is set up, so tests pass an explicit credential instead.
        return new DefaultAzureCredential(new DefaultAzureCredentialOptions { ManagedIdentityClientId = string.IsNullOrEmpty(clientId) ? null : clientId });
    }
}
