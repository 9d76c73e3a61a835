namespace TokenBroker.Tests.Infra;

/// <summary>
/// Azure built-in role definition ids as Microsoft documents them: "Azure built-in roles",
/// learn.microsoft.com/azure/role-based-access-control/built-in-roles (Storage, Security and Monitor tables;
/// checked against MicrosoftDocs/azure-docs articles/role-based-access-control/built-in-roles.md, ms.date 04/09/2026).
/// This is the reference the template is checked against, so it is written out rather than derived.
/// </summary>
internal static class BuiltInRoles
{
    public static IReadOnlyDictionary<string, string> Documented { get; } = new Dictionary<string, string>
    {
        ["Storage Blob Data Owner"] = "b7e6dc6d-f1e8-4753-8033-0f276bb0955b",
        ["Storage Queue Data Contributor"] = "974c5e8b-45b9-4653-ba55-5f855dd0fb88",
        ["Storage Table Data Contributor"] = "0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3",
        ["Key Vault Secrets Officer"] = "b86a8fe4-44ce-4948-aee5-eccb2c155cd7",
        ["Key Vault Certificates Officer"] = "a4417e6f-fecd-4de8-b567-7b0420556985",
        ["Monitoring Metrics Publisher"] = "3913510d-42f4-4e42-8a64-420c390055eb",
    };
}
