using Microsoft.Extensions.Configuration;
using TokenBroker.Store.Locks;
using TokenBroker.Testing;

namespace TokenBroker.Tests.Store;

/// <summary>Which mailbox locks the Key Vault store gets from the settings.</summary>
public sealed class MailboxLocksRegistrationTests
{
    private static IConfiguration Settings(params (string Key, string Value)[] values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value))).Build();

    private static (string, string) AzureQueues => ("Queues:Transport", "azure");

    private static (string, string) Azurite => ("AzureWebJobsStorage", PeersEnvironment.Get("AZURITE_CONNECTION_STRING"));

    [Fact]
    public void A_ledger_on_Azure_blobs_brings_blob_locks_in_the_same_account()
    {
        var locks = MailboxLocksRegistration.Resolve(Settings(AzureQueues, Azurite))!(TimeProvider.System, null);

        Assert.Equal(MailboxLocksRegistration.DefaultContainerName, Assert.IsType<BlobMailboxLocks>(locks).ContainerName);
    }

    [Fact]
    public void The_standalone_default_goes_without_locks()
    {
        Assert.Null(MailboxLocksRegistration.Resolve(Settings()));
    }

    [Fact]
    public void None_turns_the_locks_off_on_Azure_too()
    {
        Assert.Null(MailboxLocksRegistration.Resolve(Settings(AzureQueues, Azurite, ("TokenStore:MailboxLocks", "None"))));
    }

    [Fact]
    public void An_unknown_kind_is_refused_with_the_setting_named()
    {
        var error = Assert.Throws<InvalidOperationException>(() => MailboxLocksRegistration.Resolve(Settings(("TokenStore:MailboxLocks", "Redis"))));

        Assert.Contains("TokenStore:MailboxLocks", error.Message);
    }

    [Fact]
    public void An_invalid_container_name_is_refused_with_the_setting_named()
    {
        var error = Assert.Throws<InvalidOperationException>(() =>
            MailboxLocksRegistration.Resolve(Settings(AzureQueues, Azurite, ("TokenStore:LockContainerName", "Mailbox_Locks"))));

        Assert.Contains("TokenStore:LockContainerName", error.Message);
    }
}
