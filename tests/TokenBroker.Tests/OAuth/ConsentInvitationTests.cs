using System.Net;
using System.Net.Http.Json;
using TokenBroker.Callers;
using TokenBroker.Store;
using TokenBroker.Tests.Callers;
using TokenBroker.Tests.OAuth.Support;

namespace TokenBroker.Tests.OAuth;

/// <summary>
/// Consent starts only from an admin's invitation: signed, expiring, bound to the mailbox and delegate the admin
/// chose, and spent once a consent from it completes. No key ever sits in a link.
/// </summary>
public sealed class ConsentInvitationTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string NewUser() => $"user-{Guid.NewGuid():N}@{IdentityPeer.TenantDomain}";

    private static string LoginHintOf(HttpResponseMessage response) =>
        System.Web.HttpUtility.ParseQueryString(response.Headers.Location!.Query)["login_hint"]!;

    [Fact]
    public async Task Consent_start_without_an_invitation_says_an_administrator_must_issue_one()
    {
        await using var host = await OAuthTestHost.StartAsync();

        using var response = await host.Browser.GetAsync($"/api/consent/start?mailbox={Uri.EscapeDataString(NewUser())}&protocols=imap", Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("tokenbroker consent invite", await response.Content.ReadAsStringAsync(Ct));
    }

    [Fact]
    public async Task A_tampered_invitation_is_refused_as_not_issued_by_this_broker()
    {
        await using var host = await OAuthTestHost.StartAsync();
        var invitation = await host.InviteAsync(NewUser());
        var token = System.Web.HttpUtility.ParseQueryString(invitation.Query)["invitation"]!;
        var payload = System.Buffers.Text.Base64Url.DecodeFromChars(token.AsSpan(0, token.IndexOf('.')));
        var forged = System.Text.Encoding.UTF8.GetString(payload).Replace("\"m\":\"user-", "\"m\":\"boss-");
        var forgedToken = System.Buffers.Text.Base64Url.EncodeToString(System.Text.Encoding.UTF8.GetBytes(forged)) + token[token.IndexOf('.')..];

        using var response = await host.Browser.GetAsync("/api/consent/start?invitation=" + Uri.EscapeDataString(forgedToken), Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("not issued by this broker", await response.Content.ReadAsStringAsync(Ct));
    }

    [Fact]
    public async Task An_expired_invitation_answers_410()
    {
        await using var host = await OAuthTestHost.StartAsync();
        var invitation = await host.InviteAsync(NewUser());
        host.Clock.Advance(TimeSpan.FromDays(8));

        using var response = await host.Browser.GetAsync(invitation.PathAndQuery, Ct);

        Assert.Equal(HttpStatusCode.Gone, response.StatusCode);
        Assert.Contains("expired", await response.Content.ReadAsStringAsync(Ct));
    }

    [Fact]
    public async Task An_invitation_is_spent_once_its_consent_completed()
    {
        await using var host = await OAuthTestHost.StartAsync();
        var mailbox = NewUser();
        var invitation = await host.InviteAsync(mailbox);
        using (var start = await host.Browser.GetAsync(invitation.PathAndQuery, Ct))
        {
            using var authorize = await host.IdentityBrowser.GetAsync(start.Headers.Location!, Ct);
            var (status, page) = await host.CompleteAsync(authorize.Headers.Location!);
            Assert.True(status == HttpStatusCode.OK, page);
        }

        using var again = await host.Browser.GetAsync(invitation.PathAndQuery, Ct);

        Assert.Equal(HttpStatusCode.Gone, again.StatusCode);
        Assert.Contains("already used", await again.Content.ReadAsStringAsync(Ct));
    }

    [Fact]
    public async Task A_completed_consent_also_spends_older_invitations_for_the_mailbox_but_not_newer_ones()
    {
        await using var host = await OAuthTestHost.StartAsync();
        var mailbox = NewUser();
        var older = await host.InviteAsync(mailbox);
        host.Clock.Advance(TimeSpan.FromSeconds(1));
        await host.CompleteAsync(await host.SignInAsync(mailbox));
        var newer = await host.InviteAsync(mailbox);

        using var olderResponse = await host.Browser.GetAsync(older.PathAndQuery, Ct);
        using var newerResponse = await host.Browser.GetAsync(newer.PathAndQuery, Ct);

        Assert.Equal(HttpStatusCode.Gone, olderResponse.StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, newerResponse.StatusCode);
    }

    [Fact]
    public async Task A_delegate_in_the_start_query_does_not_re_point_the_mailbox()
    {
        await using var host = await OAuthTestHost.StartAsync();
        var mailbox = NewUser();
        var invitation = await host.InviteAsync(mailbox);

        using var response = await host.Browser.GetAsync(invitation.PathAndQuery + "&delegate=" + Uri.EscapeDataString(NewUser()), Ct);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal(mailbox, LoginHintOf(response));
    }

    [Fact]
    public async Task An_invitation_naming_a_delegate_sends_the_delegate_to_sign_in()
    {
        await using var host = await OAuthTestHost.StartAsync();
        var shared = NewUser();
        var delegateAddress = NewUser();

        var authorize = await host.StartConsentAsync(shared, "imap", delegateAddress);

        Assert.Equal(delegateAddress, System.Web.HttpUtility.ParseQueryString(authorize.Query)["login_hint"]);
    }

    [Fact]
    public async Task Re_consent_by_another_account_than_the_connected_one_is_refused()
    {
        await using var host = await OAuthTestHost.StartAsync();
        var mailbox = NewUser();
        await host.CompleteAsync(await host.SignInAsync(mailbox));
        await MarkConnectedThroughAnotherAccountAsync(host, mailbox);

        var (status, page) = await host.CompleteAsync(await host.SignInAsync(mailbox));

        Assert.Equal(HttpStatusCode.Forbidden, status);
        Assert.Contains("Signed in with a different account", page);
    }

    [Fact]
    public async Task An_invitation_allowing_a_replaced_account_accepts_the_new_account()
    {
        await using var host = await OAuthTestHost.StartAsync();
        var mailbox = NewUser();
        await host.CompleteAsync(await host.SignInAsync(mailbox));
        await MarkConnectedThroughAnotherAccountAsync(host, mailbox);
        var authorize = await host.StartConsentAsync(mailbox, replaceAccount: true);
        using var signIn = await host.IdentityBrowser.GetAsync(authorize, Ct);

        var (status, page) = await host.CompleteAsync(signIn.Headers.Location!);

        Assert.True(status == HttpStatusCode.OK, page);
    }

    /// <summary>What a deleted and re-created user looks like: the same name, another object id.</summary>
    private static async Task MarkConnectedThroughAnotherAccountAsync(OAuthTestHost host, string mailbox)
    {
        var current = (await host.Registry.GetAsync(mailbox, Ct))!;
        await host.Registry.SaveAsync(current.Value with { HomeAccountId = Guid.NewGuid() + "." + Guid.NewGuid() }, current.Version, Ct);
    }

    [Fact]
    public async Task Issuing_an_invitation_needs_a_credential()
    {
        await using var host = await OAuthTestHost.StartAsync();

        using var response = await host.Browser.PostAsJsonAsync("/api/consent/invitations", new { mailbox = NewUser(), protocols = "imap" }, Ct);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task Issuing_an_invitation_needs_admin_on_that_mailbox()
    {
        await using var host = await OAuthTestHost.StartAsync();
        var secret = await CallerTesting.AddClientAsync(host.Get<IClientRegistry>(), "helpdesk-admin", "*@helpdesk.example", "admin");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/consent/invitations") { Content = JsonContent.Create(new { mailbox = NewUser(), protocols = "imap" }) };
        request.Headers.Authorization = new("Bearer", secret);

        using var response = await host.Browser.SendAsync(request, Ct);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Fact]
    public async Task Issuing_an_invitation_refuses_a_form_posted_body_with_415()
    {
        await using var host = await OAuthTestHost.StartAsync();

        using var response = await host.Admin.PostAsync("/api/consent/invitations",
            new StringContent("{\"mailbox\":\"" + NewUser() + "\",\"protocols\":\"imap\"}", System.Text.Encoding.UTF8, "text/plain"), Ct);

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        Assert.Contains("application/json", await response.Content.ReadAsStringAsync(Ct));
    }

    [Theory]
    [InlineData("{}", "mailbox address is missing")]
    [InlineData("{\"mailbox\":\"not-an-address\",\"protocols\":\"imap\"}", "is not a mailbox address")]
    [InlineData("{\"mailbox\":\"a@contoso.com\",\"protocols\":\"imap,ftp\"}", "Unknown protocol")]
    [InlineData("{\"mailbox\":\"a@contoso.com\",\"protocols\":\"imap\",\"delegate\":\"nobody\"}", "delegate:")]
    [InlineData("{\"mailbox\":\"a@contoso.com\",\"protocols\":\"imap\",\"validForHours\":10000}", "validForHours must be between")]
    [InlineData("{\"mailbox\":[1],\"protocols\":\"imap\"}", "must be a JSON object")]
    [InlineData("not json", "must be a JSON object")]
    public async Task Issuing_an_invitation_answers_bad_input_with_400_naming_the_problem(string body, string expected)
    {
        await using var host = await OAuthTestHost.StartAsync();

        using var response = await host.Admin.PostAsync("/api/consent/invitations", new StringContent(body, System.Text.Encoding.UTF8, "application/json"), Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(expected, await response.Content.ReadAsStringAsync(Ct));
    }

    [Fact]
    public async Task An_invitation_carries_no_key()
    {
        await using var host = await OAuthTestHost.StartAsync();

        var invitation = await host.InviteAsync(NewUser());

        Assert.DoesNotContain(host.AdminKey, Uri.UnescapeDataString(invitation.AbsoluteUri));
        Assert.DoesNotContain("code=", invitation.Query);
    }
}
