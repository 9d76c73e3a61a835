using System.Net;
using TokenBroker.Store;
using TokenBroker.Tests.OAuth.Support;

namespace TokenBroker.Tests.OAuth;

/// <summary>Every way a consent callback is refused: a 4xx page naming the problem, and no token stored.</summary>
public sealed class ConsentRefusalTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private static string NewUser(string name = "user") => $"{name}-{Guid.NewGuid():N}@{IdentityPeer.TenantDomain}";

    private static async Task AssertNoTokensStoredAsync(OAuthTestHost host, string mailbox, string signedIn)
    {
        var saved = (await host.Registry.GetAsync(mailbox, Ct))!.Value;
        Assert.NotEqual(MailboxState.Connected, saved.State);
        Assert.Null(saved.HomeAccountId);
        Assert.Null(await host.TokenCaches.ReadAsync(IdentityIds.HomeAccountIdOf(signedIn), Ct));
    }

    [Fact]
    public async Task A_forged_state_is_refused_before_anything_is_redeemed()
    {
        await using var host = await OAuthTestHost.StartAsync();
        var mailbox = NewUser();
        var callback = await host.SignInAsync(mailbox);
        var state = System.Web.HttpUtility.ParseQueryString(callback.Query)["state"]!;
        var forged = OAuthTestHost.ReplaceQuery(callback, "state", (state[0] == 'A' ? 'B' : 'A') + state[1..]);

        var (status, page) = await host.CompleteAsync(forged);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("not issued by this broker", page);
        Assert.Equal(0, await host.Identity.TokenRequestCountAsync("authorization_code"));
        Assert.Equal(MailboxState.PendingConsent, (await host.Registry.GetAsync(mailbox, Ct))!.Value.State);
        await AssertNoTokensStoredAsync(host, mailbox, mailbox);
    }

    [Fact]
    public async Task A_replayed_callback_is_refused_and_leaves_the_first_consent_in_place()
    {
        await using var host = await OAuthTestHost.StartAsync();
        var mailbox = NewUser();
        var callback = await host.SignInAsync(mailbox);
        Assert.Equal(HttpStatusCode.OK, (await host.CompleteAsync(callback)).Status);
        var connected = (await host.Registry.GetAsync(mailbox, Ct))!;

        var (status, page) = await host.CompleteAsync(callback);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("already used", page);
        Assert.Equal(1, await host.Identity.TokenRequestCountAsync("authorization_code"));
        var after = (await host.Registry.GetAsync(mailbox, Ct))!;
        Assert.Equal(connected.Version, after.Version);
        Assert.Equal(MailboxState.Connected, after.Value.State);
    }

    [Fact]
    public async Task An_expired_state_is_refused()
    {
        await using var host = await OAuthTestHost.StartAsync();
        var mailbox = NewUser();
        var callback = await host.SignInAsync(mailbox);
        host.Clock.Advance(TimeSpan.FromMinutes(10) + TimeSpan.FromSeconds(1));

        var (status, page) = await host.CompleteAsync(callback);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("This consent link has expired", page);
        Assert.Equal(0, await host.Identity.TokenRequestCountAsync("authorization_code"));
        await AssertNoTokensStoredAsync(host, mailbox, mailbox);
    }

    [Fact]
    public async Task A_newer_consent_link_makes_the_older_one_useless()
    {
        await using var host = await OAuthTestHost.StartAsync();
        var mailbox = NewUser();
        var older = await host.SignInAsync(mailbox);
        await host.StartConsentAsync(mailbox);

        var (status, page) = await host.CompleteAsync(older);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("replaced by a newer one", page);
        await AssertNoTokensStoredAsync(host, mailbox, mailbox);
    }

    [Fact]
    public async Task A_code_redeemed_before_the_callback_gives_the_already_used_page_with_AADSTS54005()
    {
        await using var host = await OAuthTestHost.StartAsync();
        var mailbox = NewUser();
        var callback = await host.SignInAsync(mailbox);
        var code = System.Web.HttpUtility.ParseQueryString(callback.Query)["code"]!;
        // Someone who intercepted the redirect redeems the code first.
        using (var stolen = await host.IdentityBrowser.PostAsync($"{IdentityPeer.Url}/{host.Tenant}/oauth2/v2.0/token",
                   new FormUrlEncodedContent(new Dictionary<string, string> { ["grant_type"] = "authorization_code", ["code"] = code, ["client_id"] = host.Identity.ClientId }), Ct))
        {
        }

        var (status, page) = await host.CompleteAsync(callback);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("This sign-in was already used", page);
        Assert.Contains("AADSTS54005", page);
        await AssertNoTokensStoredAsync(host, mailbox, mailbox);
        var saved = (await host.Registry.GetAsync(mailbox, Ct))!.Value;
        Assert.Equal(MailboxState.NeedsConsent, saved.State);
        Assert.Contains("54005", saved.StateReason);
    }

    [Fact]
    public async Task Signing_in_as_another_user_is_refused_naming_both_accounts()
    {
        await using var host = await OAuthTestHost.StartAsync();
        var mailbox = NewUser("owner");
        var intruder = NewUser("other");
        var callback = await host.SignInAsync(mailbox, signInAs: intruder);

        var (status, page) = await host.CompleteAsync(callback);

        Assert.Equal(HttpStatusCode.Forbidden, status);
        Assert.Contains($"You signed in as {intruder}, but this link was for {mailbox}", page);
        await AssertNoTokensStoredAsync(host, mailbox, intruder);
        Assert.Equal(MailboxState.NeedsConsent, (await host.Registry.GetAsync(mailbox, Ct))!.Value.State);
    }

    [Fact]
    public async Task A_shared_mailbox_accepts_its_delegate_and_keeps_the_shared_address_as_sasl_user()
    {
        await using var host = await OAuthTestHost.StartAsync();
        var shared = NewUser("shared");
        var delegateUser = NewUser("delegate");
        var callback = await host.SignInAsync(shared, "imap", delegateAddress: delegateUser);

        var (status, page) = await host.CompleteAsync(callback);
        var token = await host.Tokens.GetAccessTokenAsync(shared, Ct);

        Assert.True(status == HttpStatusCode.OK, page);
        var saved = (await host.Registry.GetAsync(shared, Ct))!.Value;
        Assert.Equal(delegateUser, saved.DelegateAddress);
        Assert.Equal(IdentityIds.HomeAccountIdOf(delegateUser), saved.HomeAccountId);
        Assert.Equal(shared, token.User);
    }

    [Fact]
    public async Task A_token_without_SMTP_Send_is_refused_naming_the_missing_scope()
    {
        await using var host = await OAuthTestHost.StartAsync();
        var mailbox = NewUser();
        var callback = await host.SignInAsync(mailbox, "imap,smtp");
        // The identity server then grants only what the redemption asks for: IMAP without SMTP.Send.
        host.Recorder.RewriteRedemptionScope = scope => string.Join(' ', scope.Split(' ').Where(s => !s.EndsWith("/SMTP.Send", StringComparison.Ordinal)));

        var (status, page) = await host.CompleteAsync(callback);

        Assert.Equal(HttpStatusCode.Forbidden, status);
        Assert.Contains("Missing SMTP.Send (needed for SMTP)", page);
        Assert.Contains("admin consent", page);
        Assert.DoesNotContain("Missing IMAP", page);
        await AssertNoTokensStoredAsync(host, mailbox, mailbox);
    }

    [Fact]
    public async Task A_graph_token_is_refused_explaining_the_authenticate_failed_trap()
    {
        await using var host = await OAuthTestHost.StartAsync();
        var mailbox = NewUser();
        var callback = await host.SignInAsync(mailbox, "imap");
        host.Recorder.RewriteRedemptionScope = _ => "https://graph.microsoft.com/IMAP.AccessAsUser.All openid profile offline_access";

        var (status, page) = await host.CompleteAsync(callback);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("The token is not for Exchange Online", page);
        Assert.Contains("AUTHENTICATE failed", page);
        await AssertNoTokensStoredAsync(host, mailbox, mailbox);
    }

    [Fact]
    public async Task An_identity_provider_error_is_explained_and_recorded_on_the_mailbox()
    {
        await using var host = await OAuthTestHost.StartAsync();
        var mailbox = NewUser();
        var callback = await host.SignInAsync(mailbox);
        var denied = OAuthTestHost.ReplaceQuery(OAuthTestHost.ReplaceQuery(callback, "error", "access_denied"),
            "error_description", "AADSTS65004: User declined to consent to access the app.");
        denied = new Uri(denied.AbsoluteUri.Replace("code=", "ignored=", StringComparison.Ordinal));

        var (status, page) = await host.CompleteAsync(denied);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("The sign-in did not complete", page);
        Assert.Contains("declined to consent", page);
        var saved = (await host.Registry.GetAsync(mailbox, Ct))!.Value;
        Assert.Equal(MailboxState.NeedsConsent, saved.State);
        Assert.Contains("AADSTS65004", saved.StateReason);
        Assert.Null(saved.PendingConsent);
        await AssertNoTokensStoredAsync(host, mailbox, mailbox);
    }

    [Fact]
    public async Task Values_from_the_identity_provider_are_html_encoded_on_the_page()
    {
        await using var host = await OAuthTestHost.StartAsync();
        var mailbox = NewUser();
        var callback = await host.SignInAsync(mailbox);
        var hostile = OAuthTestHost.ReplaceQuery(OAuthTestHost.ReplaceQuery(callback, "error", "<script>alert(1)</script>"), "error_description", "AADSTS99999: <b>x</b>");

        var (_, page) = await host.CompleteAsync(hostile);

        Assert.DoesNotContain("<script>", page);
        Assert.DoesNotContain("<b>x</b>", page);
        Assert.Contains("&lt;b&gt;x&lt;/b&gt;", page);
    }
}
