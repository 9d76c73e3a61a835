using System.Net.Security;

namespace TokenBroker.Mail.Relay;

/// <summary>
/// An IMAP or POP3 connection logged in with XOAUTH2, ready for the relay: the TLS stream, the server's reply lines to
/// the login (which the app receives as the answer to its own login), and any bytes the server sent after them.
/// </summary>
public sealed class UpstreamSession(SslStream stream, IReadOnlyList<string> loginReply, ReadOnlyMemory<byte> pending) : IAsyncDisposable
{
    public SslStream Stream { get; } = stream;

    /// <summary>The server's lines from the login command's answer, in order, the final (tagged / +OK) one last.</summary>
    public IReadOnlyList<string> LoginReply { get; } = loginReply;

    /// <summary>Bytes received after the login reply, to be passed to the app first.</summary>
    public ReadOnlyMemory<byte> Pending { get; } = pending;

    public ValueTask DisposeAsync() => Stream.DisposeAsync();
}
