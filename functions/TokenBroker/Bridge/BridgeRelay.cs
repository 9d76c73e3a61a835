using TokenBroker.Mail.Relay;

namespace TokenBroker.Bridge;

/// <summary>After a login: the app and the mail server exchange bytes untouched until either side ends.</summary>
public static class BridgeRelay
{
    public static async Task<ByteRelay.Ending> RunAsync(BridgeConnection app, UpstreamSession server, BridgeOptions options, TimeProvider time, CancellationToken cancellationToken)
    {
        // What the server sent past its login reply goes to the app; what the app pipelined past its login, to the server.
        if (!server.Pending.IsEmpty) await app.Channel.WriteAsync(server.Pending, cancellationToken).ConfigureAwait(false);
        var pipelined = app.Channel.TakeBuffered();
        if (!pipelined.IsEmpty)
        {
            await server.Stream.WriteAsync(pipelined, cancellationToken).ConfigureAwait(false);
            await server.Stream.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
        // When the server ends the session (Exchange drops an IMAP connection whose token expired), the app's connection
        // is closed too: the app reconnects and logs in again, and the bridge brings a fresh token.
        return await ByteRelay.RunAsync(app.Channel.Stream, server.Stream, options.RelayIdleTimeout, time, cancellationToken).ConfigureAwait(false);
    }
}
