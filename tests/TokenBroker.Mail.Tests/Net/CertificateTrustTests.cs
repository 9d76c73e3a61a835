using System.Security.Cryptography.X509Certificates;
using TokenBroker.Mail.Net;
using TokenBroker.Mail.Tests.Support;

namespace TokenBroker.Mail.Tests.Net;

/// <summary>
/// Trusting an extra CA (MailClientOptions.ExtraTrustedRoots) widens which issuers are accepted, nothing else: the
/// server's name and the server-authentication usage are still checked. Certificates are made by the test
/// (<see cref="ScriptedServerCertificates"/>); the server is a scripted IMAP server over implicit TLS.
/// </summary>
public class CertificateTrustTests
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private static Task ConnectAsync(X509Certificate2 serverCertificate) => ConnectAsync(serverCertificate, ScriptedServer.ClientOptions());

    private static async Task ConnectAsync(X509Certificate2 serverCertificate, MailClientOptions options)
    {
        await using var server = ScriptedServer.Start(s => s.StartTls(serverCertificate).Send("* OK [CAPABILITY IMAP4rev1 AUTH=XOAUTH2] ready\r\n").Hang());
        using var client = MailKitConnector.CreateImap(options);
        await MailKitConnector.ConnectAsync(client, server.Endpoint("imaps"), options, Cancel);
        Assert.True(client.IsSecure);
        client.Disconnect(false);
    }

    [Fact]
    public async Task A_server_certificate_for_the_host_with_server_auth_usage_from_the_extra_ca_is_accepted() =>
        await ConnectAsync(ScriptedServerCertificates.Server);

    [Fact]
    public async Task The_extra_ca_alone_is_enough_when_system_roots_are_not_trusted() =>
        await ConnectAsync(ScriptedServerCertificates.Server, WithoutSystemRoots());

    [Fact]
    public async Task A_certificate_for_another_name_is_refused_even_from_the_extra_ca()
    {
        var error = await Assert.ThrowsAsync<MailProtocolException>(() => ConnectAsync(ScriptedServerCertificates.ServerForAnotherName));

        Assert.Contains("names do not match", error.Message);
    }

    [Fact]
    public async Task A_certificate_without_server_auth_usage_is_refused_even_from_the_extra_ca()
    {
        var error = await Assert.ThrowsAsync<MailProtocolException>(() => ConnectAsync(ScriptedServerCertificates.ServerWithoutServerAuthUsage));

        Assert.Contains("is not for server authentication: its extended key usage does not include serverAuth", error.Message);
    }

    [Fact]
    public async Task A_certificate_without_server_auth_usage_is_refused_when_only_the_extra_ca_is_trusted()
    {
        var error = await Assert.ThrowsAsync<MailProtocolException>(() => ConnectAsync(ScriptedServerCertificates.ServerWithoutServerAuthUsage, WithoutSystemRoots()));

        Assert.Contains("is not for server authentication", error.Message);
    }

    private static MailClientOptions WithoutSystemRoots()
    {
        var options = ScriptedServer.ClientOptions();
        options.TrustSystemRoots = false;
        return options;
    }
}
