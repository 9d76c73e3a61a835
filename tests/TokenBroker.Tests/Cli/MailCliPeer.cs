using System.CommandLine;
using TokenBroker.Cli;
using TokenBroker.Mail.Fetch;
using TokenBroker.Tests.Jobs.Fetch.Support;
using TokenBroker.Mail.Net;
using TokenBroker.Mail.Sasl;
using TokenBroker.Testing;

namespace TokenBroker.Tests.Cli;

/// <summary>What the `mail` command tests need from the real peers: users, tokens, token files, mail, and a run of the command.</summary>
internal static class MailCliPeer
{
    private static readonly Lazy<IdentityServerControl> Identity = new(() => new IdentityServerControl());

    public static string NewUser(string purpose) => Maildir.UniqueAddress(purpose);

    public static string Url(string scheme, string portKey) => $"{scheme}://{PeersEnvironment.Get("MAIL_HOST")}:{PeersEnvironment.Get(portKey)}";

    /// <summary>A token for <paramref name="user"/> signed with the key Dovecot trusts (expired with a negative lifetime).</summary>
    public static Task<string> MintTokenAsync(string user, int expiresInSeconds = 3600) =>
        Identity.Value.MintAccessTokenAsync(user, expiresIn: TimeSpan.FromSeconds(expiresInSeconds));

    public static async Task<string> TokenFileAsync(string token)
    {
        var path = Path.GetTempFileName();
        await File.WriteAllTextAsync(path, token + "\n");
        return path;
    }

    public static async Task<List<uint>> AppendAsync(string user, string token, params byte[][] messages)
    {
        var endpoint = MailEndpoint.Parse(Url("imaps", "IMAPS_PORT"));
        var options = new MailClientOptions { ExtraTrustedRoots = [TestCertificates.CertificateAuthority] };
        using var client = await TestImap.OpenAsync(endpoint, options, new MailLogin(user, token));
        var uids = await TestImap.AppendAsync(client, "INBOX", messages);
        await client.DisconnectAsync(quit: true);
        return uids;
    }

    public static byte[] Message(string subject) => System.Text.Encoding.UTF8.GetBytes(
        $"From: a@tokenbroker.test\r\nTo: b@tokenbroker.test\r\nSubject: {subject}\r\nMessage-ID: <{Guid.NewGuid():N}@t>\r\n\r\nBody of {subject}.\r\n");

    public static async Task<(int ExitCode, string Output, string Error)> RunAsync(params string[] args)
    {
        var root = new RootCommand { new Command("mail") { MailFetchCommand.Create(), MailProbeCommand.Create(), MailSendCommand.Create() } };
        var output = new StringWriter();
        var error = new StringWriter();
        var exitCode = await root.Parse(args).InvokeAsync(new InvocationConfiguration { Output = output, Error = error });
        return (exitCode, output.ToString(), error.ToString());
    }
}
