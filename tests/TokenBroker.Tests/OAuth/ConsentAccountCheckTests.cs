using System.Buffers.Text;
using System.Security.Claims;
using System.Text.Json;
using Microsoft.Identity.Client;
using TokenBroker.OAuth;
using TokenBroker.Store;

namespace TokenBroker.Tests.OAuth;

/// <summary>
/// Who signed in is judged by names Entra controls (preferred_username, upn) and, for a mailbox connected before, by
/// object id and tenant id; never by the email claim, which a user can set to anybody's address.
/// </summary>
public sealed class ConsentAccountCheckTests
{
    private const string Mailbox = "ceo@contoso.com";
    private const string Attacker = "intern@contoso.com";

    private sealed record TestAccount(string Username, string Environment, AccountId HomeAccountId) : IAccount;

    private static string Jwt(object claims) =>
        Base64Url.EncodeToString("{\"alg\":\"none\"}"u8) + "." + Base64Url.EncodeToString(JsonSerializer.SerializeToUtf8Bytes(claims)) + ".";

    private static AuthenticationResult SignedInAs(string username, string email, string objectId = "oid-1", string tenantId = "tid-1")
    {
        var accessToken = Jwt(new { aud = MailScopes.ExchangeResource, scp = "IMAP.AccessAsUser.All", upn = username, email, oid = objectId, tid = tenantId });
        var principal = new ClaimsPrincipal(new ClaimsIdentity([new Claim("preferred_username", username), new Claim("email", email)]));
        var account = new TestAccount(username, "login.microsoftonline.com", new AccountId($"{objectId}.{tenantId}", objectId, tenantId));
        return new AuthenticationResult(accessToken, false, objectId, DateTimeOffset.UtcNow.AddHours(1), DateTimeOffset.UtcNow.AddHours(1),
            tenantId, account, null, ["https://outlook.office.com/IMAP.AccessAsUser.All"], Guid.NewGuid(), claimsPrincipal: principal);
    }

    private static ConsentState State() => new(Mailbox, "nonce", DateTimeOffset.UtcNow.AddMinutes(10).ToUnixTimeSeconds(), "tid-1", MailProtocols.Imap, null);

    private static Mailbox Pending() => new(Mailbox, "tid-1", MailboxMode.Delegated, MailProtocols.Imap, null, MailboxState.PendingConsent, null,
        DateTimeOffset.UtcNow, DateTimeOffset.UtcNow, null, null, null, HomeAccountId: null, GrantedScopes: [], PendingConsent: null);

    [Fact]
    public void An_email_claim_naming_the_mailbox_does_not_prove_who_signed_in()
    {
        var outcome = ConsentTokenCheck.Check(SignedInAs(Attacker, email: Mailbox), State(), Pending());

        Assert.NotNull(outcome);
        Assert.Equal(403, outcome.StatusCode);
        Assert.Equal("Signed in with the wrong account", outcome.Title);
    }

    [Fact]
    public void The_mailbox_owner_signing_in_passes()
    {
        Assert.Null(ConsentTokenCheck.Check(SignedInAs(Mailbox, email: Mailbox), State(), Pending()));
    }

    [Fact]
    public void A_connected_mailbox_refuses_the_same_name_with_another_object_id()
    {
        var connected = Pending() with { State = MailboxState.Connected, HomeAccountId = "oid-1.tid-1" };

        var outcome = ConsentTokenCheck.Check(SignedInAs(Mailbox, email: Mailbox, objectId: "oid-2"), State(), connected);

        Assert.Equal("Signed in with a different account", outcome?.Title);
    }

    [Fact]
    public void A_connected_mailbox_refuses_the_same_object_id_from_another_tenant()
    {
        var connected = Pending() with { State = MailboxState.Connected, HomeAccountId = "oid-1.tid-1" };

        var outcome = ConsentTokenCheck.Check(SignedInAs(Mailbox, email: Mailbox, tenantId: "tid-other"), State(), connected);

        Assert.Equal("Signed in with a different account", outcome?.Title);
    }
}
