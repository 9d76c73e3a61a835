using System.Net;
using TokenBroker.OAuth;
using TokenBroker.Store;
using TokenBroker.Tests.OAuth.Support;

namespace TokenBroker.Tests.OAuth;

/// <summary>
/// Runs consent, silent calls, a refresh, the token endpoint and failures with every logger at Trace (MSAL's
/// own log forwarded too), then searches every line for each secret value that really crossed the wire.
/// </summary>
public sealed class LogScanTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task No_token_code_secret_or_verifier_appears_in_any_log_line()
    {
        await using var host = await OAuthTestHost.StartAsync(TestStore.Embedded);
        var secrets = new HashSet<string>(StringComparer.Ordinal) { host.ClientSecret, host.AdminKey };
        var mailbox = $"scan-{Guid.NewGuid():N}@{IdentityPeer.TenantDomain}";

        // Consent, with the PKCE verifier read back from the store before the callback consumes it.
        await host.Identity.SetTokenLifetimeAsync(120);
        var callback = await host.SignInAsync(mailbox, "imap,pop,smtp");
        secrets.Add((await host.Registry.GetAsync(mailbox, Ct))!.Value.PendingConsent!.CodeVerifier);
        secrets.Add(System.Web.HttpUtility.ParseQueryString(callback.Query)["code"]!);
        Assert.Equal(HttpStatusCode.OK, (await host.CompleteAsync(callback)).Status);
        await host.CompleteAsync(callback); // a replay
        // Silent refresh (the two-minute token is near expiry), then one from the cache, then the token endpoint.
        await host.Identity.SetTokenLifetimeAsync(3600);
        secrets.Add((await host.Tokens.GetAccessTokenAsync(mailbox, Ct)).AccessToken);
        secrets.Add((await host.Tokens.GetAccessTokenAsync(mailbox, Ct)).AccessToken);
        using (var request = new HttpRequestMessage(HttpMethod.Get, $"/api/mailboxes/{Uri.EscapeDataString(mailbox)}/token"))
        {
            request.Headers.Authorization = new("Bearer", host.AdminKey);
            using var response = await host.Browser.SendAsync(request, Ct);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
        // Failures: a wrong account, and a refresh refused with invalid_grant.
        await host.CompleteAsync(await host.SignInAsync($"other-{Guid.NewGuid():N}@{IdentityPeer.TenantDomain}", signInAs: mailbox));
        var second = $"scan2-{Guid.NewGuid():N}@{IdentityPeer.TenantDomain}";
        await host.Identity.SetTokenLifetimeAsync(120);
        await host.CompleteAsync(await host.SignInAsync(second));
        await host.Identity.FailNextTokenCallAsync("refresh_token", "invalid_grant", errorCode: 700082);
        await Assert.ThrowsAsync<MailboxTokenUnavailableException>(() => host.Tokens.GetAccessTokenAsync(second, Ct));
        Assert.Equal(MailboxState.NeedsConsent, (await host.Registry.GetAsync(second, Ct))!.Value.State);

        foreach (var value in host.Recorder.Secrets) secrets.Add(value);
        var lines = host.Logs.Lines.ToArray();
        Assert.True(lines.Length > 50, $"only {lines.Length} log lines were captured");
        Assert.Contains(lines, line => line.Contains("TokenBroker.OAuth.Msal", StringComparison.Ordinal));
        Assert.True(host.Recorder.Secrets.Count >= 8, "the recorder saw too few secrets to make the scan meaningful");
        foreach (var secret in secrets.Where(s => s.Length >= 8))
        {
            // Also the signature part alone: a token cut short in a message must not slip through.
            var probes = secret.Split('.').Where(part => part.Length >= 16).Append(secret);
            foreach (var probe in probes)
            {
                var leak = lines.FirstOrDefault(line => line.Contains(probe, StringComparison.Ordinal));
                Assert.True(leak is null, $"a secret ({probe.Length} chars) appears in the log: {leak?[..Math.Min(leak.Length, 200)]}");
            }
        }
    }
}
