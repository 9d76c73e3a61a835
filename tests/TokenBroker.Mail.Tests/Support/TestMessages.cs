using System.Text;

namespace TokenBroker.Mail.Tests.Support;

/// <summary>RFC 822 messages for tests, CRLF line endings throughout.</summary>
internal static class TestMessages
{
    public static byte[] Simple(string subject, string body = "Hello.") => Encoding.ASCII.GetBytes(
        $"From: sender@tokenbroker.test\r\nTo: someone@tokenbroker.test\r\nSubject: {subject}\r\n" +
        $"Message-ID: <{Guid.NewGuid():N}@tokenbroker.test>\r\nDate: Sat, 21 Nov 2026 20:00:00 +0000\r\n\r\n{body}\r\n");

    /// <summary>
    /// A non-ASCII subject (RFC 2047), an attachment with a non-ASCII name (RFC 2231) and a pseudo-random
    /// binary attachment of <paramref name="attachmentBytes"/> bytes, base64 in 76-character lines.
    /// </summary>
    public static byte[] WithLargeAttachment(int attachmentBytes, int seed = 7)
    {
        var payload = new byte[attachmentBytes];
        new Random(seed).NextBytes(payload);
        var subject = "=?UTF-8?B?" + Convert.ToBase64String(Encoding.UTF8.GetBytes("Grüße aus Köln – 東京 📎")) + "?=";
        var text = new StringBuilder();
        text.Append("From: sender@tokenbroker.test\r\nTo: someone@tokenbroker.test\r\n");
        text.Append($"Subject: {subject}\r\nMessage-ID: <{Guid.NewGuid():N}@tokenbroker.test>\r\n");
        text.Append("Date: Sat, 21 Nov 2026 20:00:00 +0000\r\nMIME-Version: 1.0\r\n");
        text.Append("Content-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n");
        text.Append("--b1\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n");
        text.Append("Anbei die Unterlagen. Grüße!\r\n.\r\n..a line starting with dots\r\n\r\n");
        text.Append("--b1\r\nContent-Type: application/octet-stream\r\n");
        text.Append("Content-Disposition: attachment; filename*=UTF-8''%C3%9Cbersicht%20M%C3%A4rz.bin\r\n");
        text.Append("Content-Transfer-Encoding: base64\r\n\r\n");
        var base64 = Convert.ToBase64String(payload);
        for (var i = 0; i < base64.Length; i += 76) text.Append(base64, i, Math.Min(76, base64.Length - i)).Append("\r\n");
        text.Append("--b1--\r\n");
        return Encoding.UTF8.GetBytes(text.ToString());
    }

    /// <summary>Dovecot stores Maildir files with LF endings and serves them with CRLF.</summary>
    public static byte[] AsServed(byte[] maildirFile) =>
        Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(maildirFile).Replace("\r\n", "\n").Replace("\n", "\r\n"));
}
