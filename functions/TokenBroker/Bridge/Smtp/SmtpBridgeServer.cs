using System.Net.Security;
using Microsoft.Extensions.Logging;
using SmtpServer;
using SmtpServer.ComponentModel;
using TokenBroker.Bridge.Access;
using TokenBroker.Jobs.Mail.Governor;

namespace TokenBroker.Bridge.Smtp;

/// <summary>
/// The SMTP submission endpoint of the bridge, served by the SmtpServer library: STARTTLS or implicit TLS (AUTH only
/// after TLS) or, on loopback only, plaintext; AUTH PLAIN/LOGIN required before MAIL.
/// </summary>
public static class SmtpBridgeServer
{
    public static SmtpServer.SmtpServer Create(BridgeEndpoint endpoint, BridgeOptions options, SslStreamCertificateContext? certificate, BridgeLogin login,
        IBridgeAccess access, SendGovernor governor, TimeProvider time, ILogger logger)
    {
        var serverOptions = new SmtpServerOptionsBuilder()
            .ServerName(System.Net.Dns.GetHostName())
            .MaxMessageSize(options.MaxMessageBytes)
            .MaxAuthenticationAttempts(options.MaxFailedLogins)
            .CommandWaitTimeout(options.CommandTimeout)
            .Endpoint(builder =>
            {
                builder.Endpoint(endpoint.Listen)
                    .IsSecure(endpoint.Tls == BridgeTls.Implicit)
                    .AuthenticationRequired()
                    .AllowUnsecureAuthentication(endpoint.Tls == BridgeTls.None)
                    .SessionTimeout(options.CommandTimeout);
                if (certificate is not null && endpoint.Tls != BridgeTls.None) builder.Certificate(certificate.TargetCertificate);
            })
            .Build();
        var services = new SmtpServer.ComponentModel.ServiceProvider();
        services.Add(new NoDelayEndpointListenerFactory(certificate));
        services.Add(new SmtpBridgeAuthenticator(login));
        services.Add(new SmtpBridgeMessageStore(endpoint, access, governor, login.Activity, time, logger));
        return new SmtpServer.SmtpServer(serverOptions, services);
    }
}
