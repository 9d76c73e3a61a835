using System.Text.Json;
using System.Text.Json.Nodes;
using TokenBroker.Mail.Tests.Support;
using TokenBroker.Mail.Tokens;

namespace TokenBroker.Mail.Tests.Tokens;

public class AccessTokenClaimsTests
{
    private static AccessTokenClaims Parse(JsonObject payload) => AccessTokenClaims.Parse(TestJwts.WithPayload(payload));

    [Fact]
    public void Entra_claims_are_read_from_the_payload()
    {
        var claims = Parse(new JsonObject
        {
            ["aud"] = "https://outlook.office.com",
            ["tid"] = "tenant-id",
            ["oid"] = "object-id",
            ["iss"] = "https://sts.windows.net/tenant-id/",
            ["scp"] = "IMAP.AccessAsUser.All  SMTP.Send",
            ["exp"] = 1_800_000_000,
            ["nbf"] = 1_799_990_000,
        });

        Assert.Equal("https://outlook.office.com", claims.Audience);
        Assert.Equal(["https://outlook.office.com"], claims.Audiences);
        Assert.Equal("tenant-id", claims.TenantId);
        Assert.Equal("object-id", claims.ObjectId);
        Assert.Equal("https://sts.windows.net/tenant-id/", claims.Issuer);
        Assert.Equal(["IMAP.AccessAsUser.All", "SMTP.Send"], claims.Scopes);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1_800_000_000), claims.ExpiresAt);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1_799_990_000), claims.NotBefore);
        Assert.False(claims.IsAppOnly);
    }

    [Fact]
    public void An_audience_array_lists_every_audience_but_is_not_the_single_audience()
    {
        var claims = Parse(new JsonObject { ["aud"] = new JsonArray("https://outlook.office.com", "api://other") });

        Assert.Equal(["https://outlook.office.com", "api://other"], claims.Audiences);
        Assert.Null(claims.Audience);
    }

    [Fact]
    public void A_token_with_roles_and_no_scopes_is_app_only()
    {
        var claims = Parse(new JsonObject { ["roles"] = new JsonArray("IMAP.AccessAsApp", "SMTP.SendAsApp") });

        Assert.Equal(["IMAP.AccessAsApp", "SMTP.SendAsApp"], claims.Roles);
        Assert.Empty(claims.Scopes);
        Assert.True(claims.IsAppOnly);
    }

    [Fact]
    public void User_names_come_from_every_address_claim_once_each()
    {
        var claims = Parse(new JsonObject
        {
            ["upn"] = "alice@contoso.example",
            ["email"] = "Alice@Contoso.example",
            ["preferred_username"] = "alice.smith@contoso.example",
            ["unique_name"] = " ",
        });

        Assert.Equal(["alice@contoso.example", "alice.smith@contoso.example"], claims.UserNames);
    }

    [Theory]
    [InlineData("opaque-token", "not a JWT")]
    [InlineData("header.payload", "not a JWT")]
    [InlineData("a.!!!.c", "not base64url")]
    public void A_token_that_is_not_a_jwt_is_refused_with_the_reason(string token, string reason)
    {
        var error = Assert.Throws<FormatException>(() => AccessTokenClaims.Parse(token));

        Assert.Contains(reason, error.Message);
        Assert.Null(AccessTokenClaims.TryDecode(token));
    }

    [Fact]
    public void A_payload_that_is_not_a_json_object_is_refused()
    {
        var token = $"{TestJwts.Base64Url("{}")}.{TestJwts.Base64Url("[1,2]")}.c2ln";

        var error = Assert.Throws<FormatException>(() => AccessTokenClaims.Parse(token));

        Assert.Contains("not a JSON object", error.Message);
        Assert.Null(AccessTokenClaims.TryDecode(token));
    }

    [Fact]
    public void A_payload_that_is_not_json_is_a_json_error()
    {
        var token = $"{TestJwts.Base64Url("{}")}.{TestJwts.Base64Url("not json")}.c2ln";

        Assert.ThrowsAny<JsonException>(() => AccessTokenClaims.Parse(token));
        Assert.Null(AccessTokenClaims.TryDecode(token));
    }
}
