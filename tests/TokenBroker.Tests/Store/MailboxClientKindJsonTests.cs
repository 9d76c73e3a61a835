using System.Text;
using TokenBroker.Store;

namespace TokenBroker.Tests.Store;

/// <summary>How a mailbox's refresh token was issued survives the stores' JSON; records written before it existed read as confidential.</summary>
public sealed class MailboxClientKindJsonTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 2, 16, 0, 0, TimeSpan.Zero);

    private static Mailbox Connected() =>
        new("kind@tokenbroker.test", "11111111-1111-1111-1111-111111111111", MailboxMode.Delegated, MailProtocols.Imap, null,
            MailboxState.Connected, null, Now, Now, Now, Now.AddHours(1), null, "oid.tid", ["IMAP.AccessAsUser.All"], null);

    [Fact]
    public void A_public_clients_mailbox_reads_back_as_public()
    {
        var json = MailboxJson.Serialize(Connected() with { ClientKind = MailboxClientKind.Public });

        Assert.Equal(MailboxClientKind.Public, MailboxJson.Deserialize(json, "test").ClientKind);
    }

    [Fact]
    public void A_confidential_clients_mailbox_is_written_without_the_field_as_before_it_existed()
    {
        var json = Encoding.UTF8.GetString(MailboxJson.Serialize(Connected()));

        Assert.DoesNotContain("clientKind", json);
        Assert.Equal(MailboxClientKind.Confidential, MailboxJson.Deserialize(Encoding.UTF8.GetBytes(json), "test").ClientKind);
    }
}
