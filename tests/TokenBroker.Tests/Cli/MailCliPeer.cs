using System.CommandLine;
using System.Net.Http.Json;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using System.Text.Json.Nodes;
using TokenBroker.Cli;
using TokenBroker.Mail.Imap;
using TokenBroker.Mail.Net;
using TokenBroker.Mail.Sasl;
using TokenBroker.Testing;

namespace TokenBroker.Tests.Cli;

/// <summary>What the `mail fetch` and `mail probe` tests need from the real peers: users, tokens, token files, mail.</summary>
internal static class MailCliPeer
{
    public static string NewUser(string purpose) => $"{purpose}-{Guid.NewGuid():N}"[..(purpose.Length + 13)] + "@" + PeersEnvironment.Get("IDENTITY_TENANT_DOMAIN");

    public static string Url(string scheme, string portKey) => $"{scheme}://{PeersEnvironment.Get("MAIL_HOST")}:{PeersEnvironment.Get(portKey)}";

    public static async Task<string> MintTokenAsync(string user, int expiresInSeconds = 3600, JsonObject? claims = null)
    {
        var handler = new SocketsHttpHandler();
        handler.SslOptions.CertificateChainPolicy = new X509ChainPolicy { TrustMode = X509ChainTrustMode.CustomRootTrust, RevocationMode = X509RevocationMode.NoCheck };
        handler.SslOptions.CertificateChainPolicy.CustomTrustStore.Add(X509CertificateLoader.LoadCertificateFromFile(PeersEnvironment.Get("PEERS_CA_FILE")));
        using var http = new HttpClient(handler);
        var body = new JsonObject { ["user"] = user, ["expiresInSeconds"] = expiresInSeconds };
        if (claims is not null) body["claims"] = claims;
        using var response = await http.PostAsJsonAsync(PeersEnvironment.Get("IDENTITY_CONTROL_URL") + "/tokens", body);
        response.EnsureSuccessStatusCode();
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("access_token").GetString()!;
    }

    public static async Task<string> TokenFileAsync(string token)
    {
        var path = Path.GetTempFileName();
        await File.WriteAllTextAsync(path, token + "\n");
        return path;
    }

    public static async Task<List<uint>> AppendAsync(string user, string token, params byte[][] messages)
    {
        var endpoint = MailEndpoint.Parse(Url("imaps", "IMAPS_PORT"));
        var options = new MailClientOptions { ExtraTrustedRoots = [X509CertificateLoader.LoadCertificateFromFile(PeersEnvironment.Get("PEERS_CA_FILE"))] };
        await using var client = await ImapClient.ConnectAsync(endpoint, options);
        await client.AuthenticateAsync(new XOAuth2Mechanism(user, token));
        var uids = new List<uint>();
        foreach (var message in messages) uids.Add((await client.AppendAsync("INBOX", message)).GetValueOrDefault());
        await client.LogoutAsync();
        return uids;
    }

    public static byte[] Message(string subject) => System.Text.Encoding.UTF8.GetBytes(
        $"From: a@tokenbroker.test\r\nTo: b@tokenbroker.test\r\nSubject: {subject}\r\nMessage-ID: <{Guid.NewGuid():N}@t>\r\n\r\nBody of {subject}.\r\n");

    public static async Task<(int ExitCode, string Output, string Error)> RunAsync(params string[] args)
    {
        var root = new RootCommand { new Command("mail") { MailFetchCommand.Create(), MailProbeCommand.Create() } };
        var output = new StringWriter();
        var error = new StringWriter();
        var exitCode = await root.Parse(args).InvokeAsync(new InvocationConfiguration { Output = output, Error = error });
        return (exitCode, output.ToString(), error.ToString());
    }
}
