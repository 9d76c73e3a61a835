using TokenBroker.Mail.Net;

namespace TokenBroker.Mail.Tests.Net;

public class MailEndpointTests
{
    [Theory]
    [InlineData("smtp://mail.example.com", MailProtocol.Smtp, MailSecurity.StartTls, 587)]
    [InlineData("smtps://mail.example.com", MailProtocol.Smtp, MailSecurity.ImplicitTls, 465)]
    [InlineData("imap://mail.example.com", MailProtocol.Imap, MailSecurity.StartTls, 143)]
    [InlineData("imaps://mail.example.com", MailProtocol.Imap, MailSecurity.ImplicitTls, 993)]
    [InlineData("pop3://mail.example.com", MailProtocol.Pop3, MailSecurity.StartTls, 110)]
    [InlineData("pop3s://mail.example.com/", MailProtocol.Pop3, MailSecurity.ImplicitTls, 995)]
    public void Scheme_sets_protocol_security_and_default_port(string url, MailProtocol protocol, MailSecurity security, int port)
    {
        var endpoint = MailEndpoint.Parse(url);

        Assert.Equal(new MailEndpoint(protocol, security, "mail.example.com", port), endpoint);
    }

    [Fact]
    public void Explicit_port_wins() => Assert.Equal(21014, MailEndpoint.Parse("SMTP://127.0.0.1:21014").Port);

    [Fact]
    public void Ipv6_literal_host_is_kept_without_brackets()
    {
        var endpoint = MailEndpoint.Parse("imaps://[::1]:993");

        Assert.Equal("::1", endpoint.Host);
        Assert.Equal("imaps://[::1]:993", endpoint.ToString());
    }

    [Theory]
    [InlineData("http://mail.example.com", "'http' is not a supported mail URL scheme")]
    [InlineData("mail.example.com:587", "is not a mail server URL")]
    [InlineData("smtp://user@mail.example.com", "no user, path, query or fragment")]
    [InlineData("smtp://mail.example.com/inbox", "no user, path, query or fragment")]
    [InlineData("smtp://", "is not a valid URL")]
    public void Anything_else_is_refused_with_a_clear_message(string url, string expected)
    {
        var error = Assert.Throws<FormatException>(() => MailEndpoint.Parse(url));

        Assert.Contains(expected, error.Message);
    }
}
