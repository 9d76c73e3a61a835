using System.IO.Pipelines;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using SmtpServer;
using SmtpServer.IO;
using SmtpServer.Net;

namespace TokenBroker.Bridge.Smtp;

/// <summary>
/// The SMTP library's listener with Nagle's algorithm off on every accepted connection: its replies are written in
/// small pieces, and with Nagle on each reply after the first waited for the client's delayed ACK (about 40 ms a
/// message, a fifth of the direct rate, measured with the bridge benchmark).
/// </summary>
internal sealed class NoDelayEndpointListenerFactory(SslStreamCertificateContext? certificateContext) : IEndpointListenerFactory
{
    public IEndpointListener CreateListener(IEndpointDefinition endpointDefinition)
    {
        var listener = new TcpListener(endpointDefinition.Endpoint);
        listener.Start(backlog: 512);
        return new Listener(listener, certificateContext);
    }

    private sealed class Listener(TcpListener listener, SslStreamCertificateContext? certificateContext) : IEndpointListener
    {
        public async Task<ISecurableDuplexPipe> GetPipeAsync(ISessionContext context, CancellationToken cancellationToken)
        {
            var client = await listener.AcceptTcpClientAsync(cancellationToken).ConfigureAwait(false);
            client.NoDelay = true;
            context.Properties[EndpointListener.LocalEndPointKey] = listener.LocalEndpoint;
            context.Properties[EndpointListener.RemoteEndPointKey] = client.Client.RemoteEndPoint!;
            return new TcpDuplexPipe(client, certificateContext);
        }

        public void Dispose() => listener.Stop();
    }

    /// <summary>The connection as the library reads and writes it (pipes over the stream), upgraded in place by STARTTLS.</summary>
    private sealed class TcpDuplexPipe : ISecurableDuplexPipe
    {
        private readonly TcpClient _client;
        private readonly SslStreamCertificateContext? _certificateContext;
        private Stream _stream;

        public TcpDuplexPipe(TcpClient client, SslStreamCertificateContext? certificateContext)
        {
            _client = client;
            _certificateContext = certificateContext;
            _stream = client.GetStream();
            Input = PipeReader.Create(_stream);
            Output = PipeWriter.Create(_stream);
        }

        public PipeReader Input { get; private set; }
        public PipeWriter Output { get; private set; }
        public bool IsSecure => _stream is SslStream;
        public SslProtocols SslProtocol => _stream is SslStream tls ? tls.SslProtocol : SslProtocols.None;

        public async Task UpgradeAsync(X509Certificate certificate, SslProtocols protocols, CancellationToken cancellationToken = default)
        {
            var tls = new SslStream(_stream, leaveInnerStreamOpen: true);
            // The bridge's context built once (BridgeEndpoints.LoadCertificate) for the library's bare certificate.
            var options = _certificateContext is null
                ? new SslServerAuthenticationOptions { ServerCertificate = certificate, EnabledSslProtocols = protocols }
                : new SslServerAuthenticationOptions { ServerCertificateContext = _certificateContext, EnabledSslProtocols = protocols };
            await tls.AuthenticateAsServerAsync(options, cancellationToken).ConfigureAwait(false);
            ServerTls.AcknowledgeHandshake(_client.Client);
            _stream = tls;
            Input = PipeReader.Create(tls);
            Output = PipeWriter.Create(tls);
        }

        public void Dispose()
        {
            _stream.Dispose();
            _client.Dispose();
        }
    }
}
