using System.Net.Security;
using Microsoft.Extensions.DependencyInjection;
using TokenBroker.OAuth;
using TokenBroker.Store;
using TokenBroker.Testing;

namespace TokenBroker.Benchmarks;

/// <summary>The delegated consent flow as the OAuth benchmarks drive it against the local identity server, the browser's redirect read by hand.</summary>
internal static class BenchmarkConsent
{
    /// <summary>OAuth settings for a client id of the benchmark's own, so that its counters and token lifetimes are its own.</summary>
    public static Dictionary<string, string?> OAuthSettings(string clientId) => new()
    {
        ["OAuth:AuthorityHost"] = IdentityServerControl.BaseUrl,
        ["OAuth:TenantId"] = IdentityServerControl.TenantId,
        ["OAuth:ClientId"] = clientId,
        ["OAuth:ClientSecret"] = "bench-" + Guid.NewGuid().ToString("N"),
        ["OAuth:RedirectUri"] = "http://localhost/api/consent/callback",
        ["OAuth:EnableMsalLogging"] = "false",
    };

    /// <summary>HTTPS trusting only the test CA; redirects are not followed, so that the authorization code can be read.</summary>
    public static SocketsHttpHandler TrustingHandler() => new()
    {
        AllowAutoRedirect = false,
        SslOptions = new SslClientAuthenticationOptions { CertificateChainPolicy = TestCertificates.CreateChainPolicy() },
    };

    /// <summary>Start → authorize (the identity server signs the mailbox in) → callback with the code.</summary>
    public static async Task ConsentAsync(IServiceProvider provider, HttpClient browser, string mailbox, CancellationToken cancellationToken)
    {
        var authorize = await provider.GetRequiredService<ConsentStart>().StartAsync(
            new ConsentRequest(mailbox, MailProtocols.Imap | MailProtocols.Smtp, null, IdentityServerControl.TenantId, DateTimeOffset.UtcNow), cancellationToken);
        using var redirect = await browser.GetAsync(authorize, cancellationToken);
        var query = System.Web.HttpUtility.ParseQueryString(redirect.Headers.Location!.Query);
        var outcome = await provider.GetRequiredService<ConsentCallback>().CompleteAsync(
            new ConsentCallbackQuery(query["code"], query["state"], null, null, null, null), cancellationToken);
        if (!outcome.Succeeded) throw new InvalidOperationException($"consent for {mailbox} failed: {outcome.Title}");
    }
}
