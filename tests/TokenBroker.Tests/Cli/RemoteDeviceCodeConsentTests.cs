using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using TokenBroker.Callers;
using Microsoft.Extensions.DependencyInjection;
using TokenBroker.Cli;
using TokenBroker.OAuth;
using TokenBroker.Store;
using TokenBroker.Tests.Callers;
using TokenBroker.Tests.Cli.Support;
using TokenBroker.Tests.Hosting.Support;
using TokenBroker.Tests.OAuth.Support;

namespace TokenBroker.Tests.Cli;

/// <summary>
/// `tokenbroker consent MAILBOX --device-code --url URL`: the running broker runs the device flow (POST
/// /api/consent/device, then polls) for a caller with "admin" on the mailbox; the CLI holds no OAuth setting at all.
/// </summary>
public sealed class RemoteDeviceCodeConsentTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private static string NewUser() => $"remote-{Guid.NewGuid():N}@{IdentityPeer.TenantDomain}";

    private static Task<(int Exit, string Output, string Error)> ConsentAsync(OAuthTestHost host, string mailbox, string credential) =>
        LocalOAuthCli.RunAsync(ConsentInviteCommand.Create(),
            ["consent", mailbox, "--device-code", "--protocols", "imap,smtp", "--timeout", "00:01:00", "--url", host.BaseUrl, "--credential", credential], Ct);

    [Fact]
    public async Task The_running_broker_runs_the_device_flow_and_connects_the_mailbox_once_someone_signs_in()
    {
        await using var host = await OAuthTestHost.StartAsync();
        var mailbox = NewUser();

        var run = ConsentAsync(host, mailbox, TestCredentials.MasterKey);
        for (var attempt = 0; attempt < 300 && !await host.Identity.ApproveDeviceCodeAsync(mailbox); attempt++)
            await Task.Delay(100, Ct);
        var (exit, output, error) = await run;

        Assert.True(exit == 0, output + error);
        Assert.Contains($"{IdentityPeer.Url}/devicelogin", output);
        Assert.Contains("Mailbox connected", output);
        var saved = (await host.Registry.GetAsync(mailbox, Ct))!.Value;
        Assert.Equal(MailboxState.Connected, saved.State);
        Assert.Equal(IdentityIds.HomeAccountIdOf(mailbox), saved.HomeAccountId);
        Assert.Equal(mailbox, (await host.Tokens.GetAccessTokenAsync(mailbox, Ct)).User);
    }

    [Fact]
    public async Task With_a_certificate_the_brokers_device_flow_sends_no_credential_and_keeps_the_mailbox_alive_as_a_public_client()
    {
        var certificatePath = Path.Combine(Path.GetTempPath(), $"tokenbroker-client-{Guid.NewGuid():N}.pfx");
        using (var key = RSA.Create(2048))
        {
            var request = new CertificateRequest("CN=TokenBroker test client", key,
                HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
            using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
            await File.WriteAllBytesAsync(certificatePath, certificate.Export(X509ContentType.Pkcs12), Ct);
        }
        try
        {
            await using var host = await OAuthTestHost.StartAsync(configureServices: services => services.PostConfigure<OAuthOptions>(o =>
            {
                o.ClientSecret = null;
                o.CertificatePath = certificatePath;
            }));
            var mailbox = NewUser();
            await host.Identity.AutoApproveDeviceCodesAsync(mailbox);
            var (exit, output, error) = await ConsentAsync(host, mailbox, TestCredentials.MasterKey);
            Assert.True(exit == 0, output + error);
            var connected = (await host.Registry.GetAsync(mailbox, Ct))!;
            Assert.Equal(MailboxClientKind.Public, connected.Value.ClientKind);

            // Redeemed with the certificate's assertion, the identity server would refuse it (AADSTS700025).
            var token = await host.Tokens.RefreshAsync(mailbox, force: true, Ct);

            Assert.Equal(mailbox, token.User);
            Assert.Equal(MailboxState.Connected, (await host.Registry.GetAsync(mailbox, Ct))!.Value.State);
        }
        finally
        {
            File.Delete(certificatePath);
        }
    }

    [Fact]
    public async Task The_brokers_device_flow_sends_its_client_secret_so_the_mailbox_is_kept_alive_as_a_confidential_client()
    {
        await using var host = await OAuthTestHost.StartAsync();
        var mailbox = NewUser();
        await host.Identity.AutoApproveDeviceCodesAsync(mailbox);
        var (exit, output, error) = await ConsentAsync(host, mailbox, TestCredentials.MasterKey);
        Assert.True(exit == 0, output + error);
        var connected = (await host.Registry.GetAsync(mailbox, Ct))!;
        Assert.Equal(MailboxClientKind.Confidential, connected.Value.ClientKind);
        var refreshesBefore = await host.Identity.TokenRequestCountAsync("refresh_token");

        // A confidential client's refresh token is redeemed with the secret; a public one's would be refused (AADSTS700025).
        var token = await host.Tokens.RefreshAsync(mailbox, force: true, Ct);

        Assert.Equal(mailbox, token.User);
        var kept = (await host.Registry.GetAsync(mailbox, Ct))!.Value;
        Assert.Equal(MailboxState.Connected, kept.State);
        Assert.Null(kept.LastError);
        Assert.Equal(refreshesBefore + 1, await host.Identity.TokenRequestCountAsync("refresh_token"));
    }

    [Fact]
    public async Task A_sign_in_by_another_account_is_refused_in_the_callbacks_words_and_stores_nothing()
    {
        await using var host = await OAuthTestHost.StartAsync();
        var mailbox = NewUser();
        await host.Identity.AutoApproveDeviceCodesAsync(NewUser());

        var (exit, output, error) = await ConsentAsync(host, mailbox, TestCredentials.MasterKey);

        Assert.True(exit == 1, output + error);
        Assert.Contains("Signed in with the wrong account", error);
        Assert.Null(await host.Registry.GetAsync(mailbox, Ct));
    }

    [Fact]
    public async Task A_caller_without_admin_on_the_mailbox_cannot_start_it()
    {
        await using var host = await OAuthTestHost.StartAsync();
        var mailbox = NewUser();
        var secret = await CallerTesting.AddClientAsync(host.Get<IClientRegistry>(), "sender", mailbox, "send,status");

        var (exit, output, error) = await ConsentAsync(host, mailbox, secret);

        Assert.True(exit == 1, output + error);
        Assert.Contains("The broker refused (403)", error);
        Assert.Equal(0, await host.Identity.TokenRequestCountAsync("refresh_token"));
        Assert.Null(await host.Registry.GetAsync(mailbox, Ct));
    }

    private static async Task<HttpResponseMessage> PostAsync(OAuthTestHost host, string route, object body, string credential)
    {
        using var http = new HttpClient { BaseAddress = new Uri(host.BaseUrl), Timeout = TimeSpan.FromSeconds(30) };
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/" + route) { Content = JsonContent.Create(body) };
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", credential);
        return await http.SendAsync(request, Ct);
    }

    [Fact]
    public async Task The_start_answers_the_user_code_and_a_handle_but_never_the_device_code()
    {
        await using var host = await OAuthTestHost.StartAsync();

        using var response = await PostAsync(host, "consent/device", new { mailbox = NewUser(), protocols = "imap" }, TestCredentials.MasterKey);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var started = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct));
        Assert.Matches("^[A-Z]{9}$", started.RootElement.GetProperty("userCode").GetString());
        Assert.False(started.RootElement.TryGetProperty("device_code", out _));
        Assert.False(started.RootElement.TryGetProperty("deviceCode", out _));
        Assert.True(started.RootElement.GetProperty("handle").GetString()!.Length > 100);
    }

    [Fact]
    public async Task A_poll_by_a_client_without_admin_on_the_handles_mailbox_is_refused()
    {
        await using var host = await OAuthTestHost.StartAsync();
        var mailbox = NewUser();
        using var start = await PostAsync(host, "consent/device", new { mailbox, protocols = "imap" }, TestCredentials.MasterKey);
        var handle = JsonDocument.Parse(await start.Content.ReadAsStringAsync(Ct)).RootElement.GetProperty("handle").GetString();
        var other = await CallerTesting.AddClientAsync(host.Get<IClientRegistry>(), "other-admin", NewUser(), "admin");

        using var poll = await PostAsync(host, "consent/device/poll", new { handle }, other);

        Assert.Equal(HttpStatusCode.Forbidden, poll.StatusCode);
    }

    [Fact]
    public async Task A_poll_with_a_handle_this_broker_did_not_issue_is_refused_with_a_sentence()
    {
        await using var host = await OAuthTestHost.StartAsync();

        using var poll = await PostAsync(host, "consent/device/poll", new { handle = "bm90LWEtaGFuZGxlLWZyb20tdGhpcy1icm9rZXItYXQtYWxsLW5vdC1ldmVuLWNsb3Nl" }, TestCredentials.MasterKey);

        Assert.Equal(HttpStatusCode.BadRequest, poll.StatusCode);
        Assert.Contains("not one this broker issued", await poll.Content.ReadAsStringAsync(Ct));
    }
}
