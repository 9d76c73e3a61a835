namespace TokenBroker.Mail;

/// <summary>What the IMAP and POP3 clients need from a connection: lines, exact byte counts, writes, TLS upgrade.</summary>
internal interface IMailTransport : IAsyncDisposable
{
    /// <summary>The next line without its CRLF; a closed connection or an overlong line is a MailProtocolException.</summary>
    ValueTask<byte[]> ReadLineAsync(CancellationToken cancellationToken = default);

    ValueTask ReadExactlyAsync(Memory<byte> destination, CancellationToken cancellationToken = default);

    /// <summary>Writes bytes; <paramref name="secret"/> keeps them out of the protocol log.</summary>
    ValueTask WriteAsync(ReadOnlyMemory<byte> data, bool secret = false, CancellationToken cancellationToken = default);

    ValueTask FlushAsync(CancellationToken cancellationToken = default);

    ValueTask StartTlsAsync(CancellationToken cancellationToken = default);

    bool IsEncrypted { get; }
}
