namespace TokenBroker.Mail.Tests.Peers;

/// <summary>Just enough SMTP over a <see cref="PeerConnection"/> for the peer tests.</summary>
internal static class SmtpDialog
{
    /// <summary>Reads one (possibly multi-line) reply; returns its lines.</summary>
    public static Task<IReadOnlyList<string>> ReadReplyAsync(PeerConnection connection, CancellationToken cancellationToken) =>
        connection.ReadUntilAsync(line => line.Length < 4 || line[3] != '-', cancellationToken);

    /// <summary>Sends a command and returns the last line of its reply, which must start with <paramref name="expectedCode"/>.</summary>
    public static async Task<IReadOnlyList<string>> ExpectAsync(PeerConnection connection, string command, string expectedCode, CancellationToken cancellationToken)
    {
        await connection.WriteLineAsync(command, cancellationToken);
        var reply = await ReadReplyAsync(connection, cancellationToken);
        Assert.True(reply[^1].StartsWith(expectedCode, StringComparison.Ordinal), $"{command.Split(' ')[0]}: expected {expectedCode}, got: {string.Join(" | ", reply)}");
        return reply;
    }

    /// <summary>Greeting, EHLO and (when asked) STARTTLS with a second EHLO; returns the last EHLO reply.</summary>
    public static async Task<IReadOnlyList<string>> OpenAsync(PeerConnection smtp, bool startTls, CancellationToken cancellationToken)
    {
        var greeting = await ReadReplyAsync(smtp, cancellationToken);
        Assert.StartsWith("220", greeting[^1]);
        var ehlo = await ExpectAsync(smtp, "EHLO client.test", "250", cancellationToken);
        if (!startTls)
            return ehlo;
        await ExpectAsync(smtp, "STARTTLS", "220", cancellationToken);
        await smtp.StartTlsAsync(cancellationToken);
        return await ExpectAsync(smtp, "EHLO client.test", "250", cancellationToken);
    }

    /// <summary>AUTH with the response after the 334 prompt (tokens are too long for the command line on some servers).</summary>
    public static async Task AuthenticateAsync(PeerConnection smtp, string mechanism, string response, CancellationToken cancellationToken)
    {
        await ExpectAsync(smtp, $"AUTH {mechanism}", "334", cancellationToken);
        await ExpectAsync(smtp, response, "235", cancellationToken);
    }

    public static async Task SendAsync(PeerConnection smtp, string from, string to, string subject, CancellationToken cancellationToken)
    {
        await ExpectAsync(smtp, $"MAIL FROM:<{from}>", "250", cancellationToken);
        await ExpectAsync(smtp, $"RCPT TO:<{to}>", "250", cancellationToken);
        await ExpectAsync(smtp, "DATA", "354", cancellationToken);
        await smtp.WriteLineAsync($"From: <{from}>\r\nTo: <{to}>\r\nSubject: {subject}\r\nMessage-ID: <{Guid.NewGuid():N}@client.test>\r\n\r\nSent by a TokenBroker peer test.\r\n.", cancellationToken);
        var reply = await ReadReplyAsync(smtp, cancellationToken);
        Assert.True(reply[^1].StartsWith("250", StringComparison.Ordinal), $"end of DATA: {string.Join(" | ", reply)}");
    }
}
