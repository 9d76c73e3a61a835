using TokenBroker.Bridge;

namespace TokenBroker.Tests.Bridge;

/// <summary>What `tokenbroker bridge` refuses to start with, in one sentence naming the setting.</summary>
public sealed class BridgeSettingsTests
{
    private static InvalidOperationException Refusal(params string[] settings) =>
        Assert.Throws<InvalidOperationException>(() => BridgeHost.Build(settings));

    [Fact]
    public void Plaintext_on_an_address_other_than_loopback_stops_the_start()
    {
        var refusal = Refusal("--Bridge:Smtp:Listen=0.0.0.0:1587", "--Bridge:Smtp:Tls=none");
        Assert.Equal("Setting 'Bridge:Smtp:Tls' is none but 0.0.0.0:1587 is not a loopback address: plaintext logins are allowed only on 127.0.0.1 or ::1.", refusal.Message);
    }

    [Fact]
    public void A_tls_listener_without_a_certificate_stops_the_start()
    {
        var refusal = Refusal("--Bridge:Imap:Listen=127.0.0.1:1993", "--Bridge:Imap:Tls=implicit");
        Assert.StartsWith("Setting 'Bridge:CertificateFile'", refusal.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_imap_upstream_without_implicit_tls_stops_the_start()
    {
        var refusal = Refusal("--Bridge:Imap:Listen=127.0.0.1:1143", "--Bridge:Imap:Tls=none", "--Bridge:Imap:Upstream=imap://outlook.office365.com:143");
        Assert.Contains("logs in over implicit TLS only; use imaps://", refusal.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void No_listener_at_all_stops_the_start()
    {
        var refusal = Refusal();
        Assert.StartsWith("No bridge listener is configured", refusal.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_remote_broker_over_plain_http_elsewhere_stops_the_start()
    {
        var refusal = Refusal("--Bridge:Smtp:Listen=127.0.0.1:1587", "--Bridge:Smtp:Tls=none", "--Bridge:BrokerUrl=http://broker.example.com");
        Assert.Contains("tokens travel only over https", refusal.Message, StringComparison.Ordinal);
    }
}
