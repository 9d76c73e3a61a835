using TokenBroker.OAuth;

namespace TokenBroker.Tests.OAuth;

public sealed class OAuthOptionsValidatorTests
{
    private static OAuthOptions Valid() => new()
    {
        ClientId = "11111111-1111-1111-1111-111111111111",
        ClientSecret = "s3cr3t-value-never-shown",
        PublicBaseUrl = "https://broker.example.com",
    };

    private static IReadOnlyList<string> Failures(OAuthOptions options) =>
        new OAuthOptionsValidator().Validate(null, options).Failures?.ToArray() ?? [];

    [Fact]
    public void A_complete_configuration_is_valid() => Assert.Empty(Failures(Valid()));

    [Fact]
    public void The_redirect_uri_derives_from_the_public_base_url() =>
        Assert.Equal("https://broker.example.com/api/consent/callback", Valid().EffectiveRedirectUri);

    [Fact]
    public void A_missing_client_id_is_named() =>
        Assert.Contains(Failures(WithoutClientId()), f => f.StartsWith("OAuth:ClientId is missing", StringComparison.Ordinal));

    private static OAuthOptions WithoutClientId() { var o = Valid(); o.ClientId = null; return o; }

    [Fact]
    public void No_credential_names_the_three_settings()
    {
        var options = Valid();
        options.ClientSecret = null;
        Assert.Contains(Failures(options), f => f.Contains("OAuth:ClientSecret, OAuth:CertificatePath or OAuth:CertificateKeyVaultSecretName", StringComparison.Ordinal));
    }

    [Fact]
    public void Two_credentials_are_refused()
    {
        var options = Valid();
        options.CertificateKeyVaultSecretName = "broker-cert";
        options.CertificateKeyVaultUri = "https://vault.vault.azure.net/";
        Assert.Contains(Failures(options), f => f.Contains("more than one client credential", StringComparison.Ordinal));
    }

    [Fact]
    public void An_http_authority_is_refused_naming_the_setting()
    {
        var options = Valid();
        options.AuthorityHost = "http://login.example.com";
        Assert.Contains(Failures(options), f => f.StartsWith("OAuth:AuthorityHost must be an absolute https address", StringComparison.Ordinal));
    }

    [Fact]
    public void A_plain_http_redirect_is_allowed_only_for_localhost()
    {
        var options = Valid();
        options.RedirectUri = "http://broker.example.com/api/consent/callback";
        Assert.Contains(Failures(options), f => f.StartsWith("OAuth:RedirectUri must be an absolute https address", StringComparison.Ordinal));
        options.RedirectUri = "http://localhost:7071/api/consent/callback";
        Assert.Empty(Failures(options));
    }

    [Fact]
    public void A_missing_certificate_file_is_named()
    {
        var options = Valid();
        options.ClientSecret = null;
        options.CertificatePath = "/nonexistent/broker.pfx";
        Assert.Contains(Failures(options), f => f == "OAuth:CertificatePath points to '/nonexistent/broker.pfx', which does not exist.");
    }

    [Fact]
    public void No_failure_message_shows_the_client_secret()
    {
        var options = Valid();
        options.ClientId = null;
        options.CertificatePath = "/nonexistent.pfx";
        options.AuthorityHost = "ftp://x";
        Assert.All(Failures(options), f => Assert.DoesNotContain("s3cr3t-value-never-shown", f));
    }

    [Fact]
    public void The_public_cloud_is_recognised_for_instance_discovery()
    {
        Assert.True(Valid().IsPublicCloud);
        var local = Valid();
        local.AuthorityHost = "https://localhost:24000";
        Assert.False(local.IsPublicCloud);
    }

    [Fact]
    public void The_retired_OAuth_admin_key_setting_fails_naming_its_replacement()
    {
        var options = Valid();
        options.AdminKey = "0123456789abcdef0123456789abcdef";

        Assert.Contains(Failures(options), f => f.StartsWith("OAuth:AdminKey is no longer read", StringComparison.Ordinal) && f.Contains("Broker:AdminKey"));
    }

    [Fact]
    public void An_invitation_lifetime_beyond_the_maximum_fails()
    {
        var options = Valid();
        options.InvitationLifetime = TimeSpan.FromDays(60);

        Assert.Contains(Failures(options), f => f.StartsWith("OAuth:InvitationLifetime", StringComparison.Ordinal));
    }
}
