using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using TokenBroker.OAuth;
using TokenBroker.Store;
using TokenBroker.Testing;
using TokenBroker.Tests.OAuth.Support;

namespace TokenBroker.Tests.OAuth;

/// <summary>
/// The identity provider behind a private CA: trusted through OAuth:TrustedCaFile (names still checked), and, when
/// not trusted, the consent callback says so in words instead of a blank 500.
/// </summary>
public sealed class IdentityProviderTrustTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private static string NewUser() => $"trust-{Guid.NewGuid():N}@{IdentityPeer.TenantDomain}";

    /// <summary>The broker's own handler (no test handler): what production uses, configured by settings alone.</summary>
    private static Task<OAuthTestHost> StartWithSettingsAsync(IDictionary<string, string?> settings) =>
        OAuthTestHost.StartAsync(configureServices: services => services.RemoveAll<IdentityProviderHttpHandler>(), settings: settings);

    [Fact]
    public async Task With_the_private_ca_in_OAuth_TrustedCaFile_the_consent_completes()
    {
        await using var host = await StartWithSettingsAsync(new Dictionary<string, string?> { ["OAuth:TrustedCaFile"] = PeersEnvironment.Get("PEERS_CA_FILE") });
        var mailbox = NewUser();

        var (status, page) = await host.CompleteAsync(await host.SignInAsync(mailbox));

        Assert.True(status == HttpStatusCode.OK, page);
        Assert.Equal(MailboxState.Connected, (await host.Registry.GetAsync(mailbox, Ct))!.Value.State);
    }

    [Fact]
    public async Task Without_it_the_callback_answers_503_with_a_page_naming_the_untrusted_certificate_and_the_setting()
    {
        await using var host = await StartWithSettingsAsync(new Dictionary<string, string?>());
        var mailbox = NewUser();

        var (status, page) = await host.CompleteAsync(await host.SignInAsync(mailbox));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        var words = WebUtility.HtmlDecode(page);
        Assert.Contains("The identity provider's certificate is not trusted", words);
        Assert.Contains("OAuth:TrustedCaFile", words);
        Assert.NotEqual(MailboxState.Connected, (await host.Registry.GetAsync(mailbox, Ct))!.Value.State);
    }

    [Fact]
    public async Task When_the_broker_cannot_reach_the_identity_provider_the_callback_answers_503_in_words()
    {
        // The browser reaches the identity provider, the broker does not (its OAuth:AuthorityHost is a closed port).
        var closedPort = TokenBroker.Tests.Hosting.Support.PublishedBroker.FreePort();
        await using var host = await OAuthTestHost.StartAsync(settings: new Dictionary<string, string?> { ["OAuth:AuthorityHost"] = $"https://127.0.0.1:{closedPort}" });
        var mailbox = NewUser();
        var authorize = new UriBuilder(await host.StartConsentAsync(mailbox)) { Scheme = "https", Host = new Uri(IdentityPeer.Url).Host, Port = new Uri(IdentityPeer.Url).Port }.Uri;
        using var signedIn = await host.IdentityBrowser.GetAsync(authorize, Ct);
        Assert.Equal(HttpStatusCode.Found, signedIn.StatusCode);

        var (status, page) = await host.CompleteAsync(signedIn.Headers.Location!);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        var words = WebUtility.HtmlDecode(page);
        Assert.Contains("The identity provider cannot be reached", words);
        Assert.Contains("OAuth:AuthorityHost", words);
        Assert.NotEqual(MailboxState.Connected, (await host.Registry.GetAsync(mailbox, Ct))!.Value.State);
    }

    [Fact]
    public async Task A_trusted_ca_file_that_does_not_exist_is_named_by_the_settings_check()
    {
        var failures = new OAuthOptionsValidator().Validate(null, new OAuthOptions
        {
            ClientId = "c", ClientSecret = "s", PublicBaseUrl = "https://broker.contoso.com", TrustedCaFile = "/nowhere/ca.pem",
        }).Failures;

        Assert.Equal("OAuth:TrustedCaFile points to '/nowhere/ca.pem', which does not exist (it must be a PEM file of CA certificates).", Assert.Single(failures!));
    }
}
