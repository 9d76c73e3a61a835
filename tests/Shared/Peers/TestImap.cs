using MailKit;
using MailKit.Net.Imap;
using MimeKit;
using TokenBroker.Mail.Fetch;
using TokenBroker.Mail.Net;
using TokenBroker.Mail.Sasl;

namespace TokenBroker.Testing;

/// <summary>A MailKit IMAP session as a test's own tool (to put mail into Dovecot and look at it afterwards).</summary>
internal static class TestImap
{
    public static async Task<ImapClient> OpenAsync(MailEndpoint endpoint, MailClientOptions options, MailLogin login)
    {
        var client = MailKitConnector.CreateImap(options);
        await MailKitConnector.ConnectAsync(client, endpoint, options);
        await OAuthLogin.AuthenticateAsync(client, login.CreateSaslMechanism(endpoint));
        return client;
    }

    /// <summary>APPENDs each message to <paramref name="folder"/> (created if missing) and returns the UIDs.</summary>
    public static async Task<List<uint>> AppendAsync(ImapClient client, string folder, IEnumerable<byte[]> messages)
    {
        var target = folder.Equals("INBOX", StringComparison.OrdinalIgnoreCase) ? client.Inbox : await GetOrCreateAsync(client, folder);
        var uids = new List<uint>();
        foreach (var bytes in messages)
        {
            var uid = await target.AppendAsync(new AppendRequest(MimeMessage.Load(new MemoryStream(bytes))));
            uids.Add(uid?.Id ?? throw new InvalidOperationException("The server did not report APPENDUID."));
        }
        return uids;
    }

    private static async Task<IMailFolder> GetOrCreateAsync(ImapClient client, string folder)
    {
        try
        {
            return await client.GetFolderAsync(folder);
        }
        catch (FolderNotFoundException)
        {
            var root = client.GetFolder(client.PersonalNamespaces[0]);
            return await root.CreateAsync(folder, isMessageFolder: true) ?? throw new InvalidOperationException($"The server did not create {folder}.");
        }
    }
}
