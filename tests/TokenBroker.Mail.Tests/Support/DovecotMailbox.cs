using TokenBroker.Testing;
using TokenBroker.Mail.Fetch;

namespace TokenBroker.Mail.Tests.Support;

/// <summary>A fresh Dovecot mailbox with its own user and token; messages are delivered with IMAP APPEND.</summary>
internal sealed class DovecotMailbox
{
    private DovecotMailbox(string user, string token) => (User, Token) = (user, token);

    public string User { get; }

    public string Token { get; }

    public MailLogin Login(MailSaslMechanism mechanism = MailSaslMechanism.XOAuth2) => new(User, Token, mechanism);

    public static async Task<DovecotMailbox> CreateAsync(string purpose)
    {
        var user = MailPeers.NewUser(purpose);
        return new DovecotMailbox(user, await MailPeers.MintTokenAsync(user));
    }

    /// <summary>Appends the messages to <paramref name="folder"/> and returns their UIDs.</summary>
    public async Task<List<uint>> AppendAsync(string folder, params byte[][] messages)
    {
        var endpoint = MailPeers.Imaps;
        using var client = await TestImap.OpenAsync(endpoint, MailPeers.ClientOptions(), Login());
        var uids = await TestImap.AppendAsync(client, folder, messages);
        await client.DisconnectAsync(quit: true);
        return uids;
    }

    public Task<List<uint>> AppendAsync(params byte[][] messages) => AppendAsync("INBOX", messages);
}
