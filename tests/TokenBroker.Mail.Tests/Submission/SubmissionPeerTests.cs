using System.Text;
using System.Text.RegularExpressions;
using TokenBroker.Mail.Mime;
using TokenBroker.Mail.Sasl;
using TokenBroker.Mail.Smtp;
using TokenBroker.Mail.Tests.Support;

namespace TokenBroker.Mail.Tests.Submission;

/// <summary>Sending through MailKit against the real peers: Dovecot submission (STARTTLS and implicit TLS) and Postfix
/// submission, tokens from the identity server, delivery through Postfix and LMTP to a Maildir.</summary>
public class SubmissionPeerTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static TheoryData<string, string> ServersAndMechanisms => new()
    {
        { "dovecot-starttls", "xoauth2" }, { "dovecot-starttls", "oauthbearer" },
        { "dovecot-implicit", "xoauth2" }, { "postfix-starttls", "oauthbearer" },
    };

    public static TheoryData<string> Servers => new() { "dovecot-starttls", "dovecot-implicit", "postfix-starttls" };

    // Headers the servers add on the way (Dovecot LMTP, Postfix): anything else must be what we sent.
    private static readonly Regex PrependedHeader = new(@"^(Return-Path|Delivered-To|Received|X-Original-To):|^[ \t]", RegexOptions.Compiled);

    [Theory]
    [MemberData(nameof(ServersAndMechanisms))]
    public Task A_message_with_non_ascii_names_and_a_1_mb_attachment_arrives_byte_exact_with_bdat(string server, string mechanism) =>
        SendAndCompareAsync(server, mechanism, useChunking: true);

    [Theory]
    [MemberData(nameof(Servers))]
    public Task The_same_message_sent_with_data_arrives_byte_exact(string server) =>
        SendAndCompareAsync(server, "xoauth2", useChunking: false);

    private static async Task SendAndCompareAsync(string server, string mechanism, bool useChunking)
    {
        var sender = MailPeers.NewUser("sender");
        var recipient = MailPeers.NewUser("rcpt");
        var token = await MailPeers.MintTokenAsync(sender);
        var attachment = new byte[1024 * 1024];
        new Random(5).NextBytes(attachment);
        var message = OutgoingMessageBuilder.Build(new OutgoingMessage
        {
            From = $"Jürgen Sender <{sender}>",
            To = [$"Empfänger <{recipient}>"],
            Subject = $"Prüfbericht für {server}/{mechanism} — 1 MB ✓",
            Text = "Grüße,\nsiehe Anhang.\n.\n..a line starting with dots\n",
            Html = "<p>Grüße, siehe <b>Anhang</b>.</p>",
            Attachments = [new OutgoingAttachment("Übersicht März 2026 (endgültig).bin", attachment)],
            MessageId = MessageIds.FromIdempotencyKey(Guid.NewGuid().ToString(), MailPeers.Domain),
            Date = DateTimeOffset.UtcNow,
        });
        var endpoint = MailPeers.Submission(server);

        using (var client = await new SmtpSubmission(MailPeers.ClientOptions()) { UseChunking = useChunking }
                   .OpenAsync(endpoint, OAuthMechanisms.CreateSasl(mechanism, sender, token, endpoint), Ct))
        {
            Assert.True(client.Capabilities.HasFlag(MailKit.Net.Smtp.SmtpCapabilities.Chunking), "both peers offer CHUNKING; the DATA run turns it off");
            var result = await client.SendMessageAsync(message, Ct);
            Assert.Equal([recipient], result.AcceptedRecipients);
            await SmtpSubmission.QuitQuietlyAsync(client, Ct);
        }

        var delivered = Assert.Single(await MailPeers.WaitForDeliveryAsync(recipient));
        AssertDeliveredExactly(Write(message), delivered);
        var parsed = MimeKit.MimeMessage.Load(new MemoryStream(delivered));
        Assert.Equal(message.Subject, parsed.Subject);
        Assert.Equal(message.MessageId, parsed.MessageId);
        Assert.Equal(attachment, ((MimeKit.MimePart)parsed.Attachments.Single()).Content.Open().ReadAllBytes());
    }

    [Fact]
    public async Task Several_messages_go_over_one_authenticated_connection_and_a_refused_recipient_is_reported()
    {
        var sender = MailPeers.NewUser("bulk");
        var recipient = MailPeers.NewUser("bulkrcpt");
        var refused = MailPeers.NewUser("reject-5xx");
        var endpoint = MailPeers.Submission("dovecot-starttls");
        using var client = await new SmtpSubmission(MailPeers.ClientOptions())
            .OpenAsync(endpoint, new XOAuth2SaslMechanism(sender, await MailPeers.MintTokenAsync(sender)), Ct);

        for (var i = 0; i < 5; i++)
        {
            var result = await client.SendMessageAsync(OutgoingMessageBuilder.Build(new OutgoingMessage
            {
                From = sender,
                To = i == 0 ? [recipient, refused] : [recipient],
                Subject = $"number {i}",
                Text = $"body {i}",
                MessageId = MessageIds.New(MailPeers.Domain),
                Date = DateTimeOffset.UtcNow,
            }), Ct);
            Assert.Equal([recipient], result.AcceptedRecipients);
            if (i == 0)
                Assert.StartsWith("550", Assert.Single(result.RefusedRecipients).Reply.ToString());
        }
        await client.NoOpAsync(Ct);
        await SmtpSubmission.QuitQuietlyAsync(client, Ct);

        Assert.Equal(5, (await MailPeers.WaitForDeliveryAsync(recipient, 5)).Count);
    }

    private static byte[] Write(MimeKit.MimeMessage message)
    {
        using var stream = new MemoryStream();
        message.WriteTo(new MimeKit.FormatOptions { NewLineFormat = MimeKit.NewLineFormat.Dos }, stream);
        return stream.ToArray();
    }

    /// <summary>The Maildir file is the sent message (Dovecot stores LF line ends) after headers the servers prepend.</summary>
    private static void AssertDeliveredExactly(byte[] sent, byte[] delivered)
    {
        var expected = Encoding.UTF8.GetString(sent).Replace("\r\n", "\n");
        var actual = Encoding.UTF8.GetString(delivered).Replace("\r\n", "\n");
        Assert.True(actual.EndsWith(expected, StringComparison.Ordinal),
            $"the delivered message differs from the sent one (sent {expected.Length} characters, file {actual.Length})");
        var prepended = actual[..^expected.Length];
        Assert.All(prepended.Split('\n', StringSplitOptions.RemoveEmptyEntries), line => Assert.Matches(PrependedHeader, line));
    }
}

internal static class StreamBytes
{
    public static byte[] ReadAllBytes(this Stream stream)
    {
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}
