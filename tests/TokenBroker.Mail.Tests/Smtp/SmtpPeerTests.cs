using System.Text;
using System.Text.RegularExpressions;
using TokenBroker.Mail.Mime;
using TokenBroker.Mail.Sasl;
using TokenBroker.Mail.Smtp;
using TokenBroker.Mail.Tests.Support;

namespace TokenBroker.Mail.Tests.Smtp;

/// <summary>Against the real peers: Dovecot submission (STARTTLS and implicit TLS) and Postfix submission,
/// authenticating with tokens from the identity server, delivering through Postfix and LMTP to a Maildir.</summary>
public class SmtpPeerTests
{
    public static TheoryData<string, string> ServersAndMechanisms => new()
    {
        { "dovecot-starttls", "XOAUTH2" }, { "dovecot-starttls", "OAUTHBEARER" },
        { "dovecot-implicit", "XOAUTH2" }, { "dovecot-implicit", "OAUTHBEARER" },
        { "postfix-starttls", "XOAUTH2" }, { "postfix-starttls", "OAUTHBEARER" },
    };

    public static TheoryData<string> Servers => new() { "dovecot-starttls", "dovecot-implicit", "postfix-starttls" };

    // Headers the servers add on the way (Dovecot LMTP, Postfix): anything else must be what we sent.
    private static readonly Regex PrependedHeader = new(@"^(Return-Path|Delivered-To|Received|X-Original-To):|^[ \t]", RegexOptions.Compiled);

    private static ISaslMechanism Mechanism(string name, string user, string token, string server) => name == "XOAUTH2"
        ? new XOAuth2Mechanism(user, token)
        : new OAuthBearerMechanism(user, token, MailPeers.Host, MailPeers.Submission(server).Port);

    [Theory]
    [MemberData(nameof(ServersAndMechanisms))]
    public Task Message_with_non_ascii_subject_and_file_name_and_a_5_mb_attachment_arrives_byte_exact(string server, string mechanism) =>
        SendLargeMessageAndCompareAsync(server, mechanism, useChunking: true);

    [Theory]
    [MemberData(nameof(Servers))]
    public Task The_same_message_sent_with_data_instead_of_bdat_arrives_byte_exact(string server) =>
        SendLargeMessageAndCompareAsync(server, "XOAUTH2", useChunking: false);

    private static async Task SendLargeMessageAndCompareAsync(string server, string mechanism, bool useChunking)
    {
        var sender = MailPeers.NewUser("sender");
        var recipient = MailPeers.NewUser("rcpt");
        var token = await MailPeers.MintTokenAsync(sender);
        var attachment = new byte[5 * 1024 * 1024];
        new Random(5).NextBytes(attachment);
        var message = new MimeMessage
        {
            From = new MailboxAddress(sender, "Jürgen Sender"),
            Subject = $"Prüfbericht für {server}/{mechanism} — 5 MB ✓",
            TextBody = "Grüße,\nsiehe Anhang.\n.\n..a line starting with dots\n",
            HtmlBody = "<p>Grüße, siehe <b>Anhang</b>.</p>",
            MessageId = MessageIds.FromIdempotencyKey(Guid.NewGuid().ToString(), MailPeers.Domain),
        };
        message.To.Add(new MailboxAddress(recipient, "Empfänger"));
        message.Attachments.Add(MimeAttachment.FromBytes("Übersicht März 2026 (endgültig).bin", attachment));

        await using (var client = new SmtpClient(MailPeers.ClientOptions()) { UseChunking = useChunking })
        {
            await client.ConnectAsync(MailPeers.Submission(server));
            Assert.True(client.Capabilities.Chunking, "both peers offer CHUNKING; the DATA run turns it off");
            await client.AuthenticateAsync(Mechanism(mechanism, sender, token, server));
            var result = await client.SendAsync(message);
            Assert.Equal([recipient], result.AcceptedRecipients);
            await client.QuitAsync();
        }

        var sent = await WriteAsync(message);
        var delivered = Assert.Single(await MailPeers.WaitForDeliveryAsync(recipient));
        AssertDeliveredExactly(sent, delivered);
        var headers = MessageHeaders.Parse(delivered);
        Assert.Equal(message.Subject, headers.Subject);
        Assert.Equal(message.MessageId, headers.MessageId);
    }

    [Theory]
    [MemberData(nameof(Servers))]
    public async Task A_6_kb_token_logs_in(string server)
    {
        var user = MailPeers.NewUser("big");
        var token = await MailPeers.MintTokenOfLengthAsync(user, 6000);
        Assert.InRange(token.Length, 6000, 6100);
        await using var client = new SmtpClient(MailPeers.ClientOptions());
        await client.ConnectAsync(MailPeers.Submission(server));

        await client.AuthenticateAsync(new XOAuth2Mechanism(user, token));

        Assert.True(client.IsAuthenticated);
        await client.QuitAsync();
    }

    [Fact]
    public async Task Dovecot_submission_refuses_a_response_line_over_8_kb_and_the_reply_says_so()
    {
        // Dovecot 2.3 submission caps every line, the SASL response after 334 included, near 8 KB: a 7 KB
        // token (9.4 KB of base64) cannot log in there with any client; Postfix takes it.
        var user = MailPeers.NewUser("huge");
        var token = await MailPeers.MintTokenOfLengthAsync(user, 7000);
        await using var client = new SmtpClient(MailPeers.ClientOptions());
        await client.ConnectAsync(MailPeers.Submission("dovecot-starttls"));

        var error = await Assert.ThrowsAsync<MailAuthenticationException>(() => client.AuthenticateAsync(new XOAuth2Mechanism(user, token)));

        Assert.Equal("500 5.5.2 Line too long", error.ServerReply);
    }

    [Fact]
    public async Task Postfix_submission_accepts_a_7_kb_token_after_the_prompt()
    {
        var user = MailPeers.NewUser("huge");
        var token = await MailPeers.MintTokenOfLengthAsync(user, 7000);
        await using var client = new SmtpClient(MailPeers.ClientOptions());
        await client.ConnectAsync(MailPeers.Submission("postfix-starttls"));

        await client.AuthenticateAsync(new XOAuth2Mechanism(user, token));

        Assert.True(client.IsAuthenticated);
    }

    [Theory]
    [MemberData(nameof(ServersAndMechanisms))]
    public async Task An_expired_token_fails_with_the_server_reply_and_the_decoded_challenge(string server, string mechanism)
    {
        var user = MailPeers.NewUser("expired");
        var token = await MailPeers.MintTokenAsync(user, expiresInSeconds: -600);

        var error = await AuthenticateExpectingFailure(server, Mechanism(mechanism, user, token, server));

        AssertRefusedWithChallenge(error);
    }

    [Theory]
    [MemberData(nameof(Servers))]
    public async Task A_token_for_another_user_fails(string server)
    {
        var token = await MailPeers.MintTokenAsync(MailPeers.NewUser("owner"));

        var error = await AuthenticateExpectingFailure(server, new XOAuth2Mechanism(MailPeers.NewUser("intruder"), token));

        AssertRefusedWithChallenge(error);
    }

    [Theory]
    [MemberData(nameof(Servers))]
    public async Task A_token_with_a_bad_signature_fails(string server)
    {
        var user = MailPeers.NewUser("forged");
        var token = await MailPeers.MintTokenAsync(user, wrongKey: true);

        var error = await AuthenticateExpectingFailure(server, new OAuthBearerMechanism(user, token, MailPeers.Host, MailPeers.Submission(server).Port));

        AssertRefusedWithChallenge(error);
    }

    [Fact]
    public async Task Several_messages_go_over_one_authenticated_connection_and_a_refused_recipient_is_reported()
    {
        var sender = MailPeers.NewUser("bulk");
        var recipient = MailPeers.NewUser("bulkrcpt");
        await using var client = new SmtpClient(MailPeers.ClientOptions());
        await client.ConnectAsync(MailPeers.Submission("dovecot-starttls"));
        await client.AuthenticateAsync(new XOAuth2Mechanism(sender, await MailPeers.MintTokenAsync(sender)));

        for (var i = 0; i < 5; i++)
        {
            var body = $"From: {sender}\r\nTo: {recipient}\r\nSubject: number {i}\r\n\r\nbody {i}\r\n";
            var result = await client.SendAsync(sender, [recipient], new MemoryStream(Encoding.ASCII.GetBytes(body)));
            Assert.Empty(result.RefusedRecipients);
        }
        await client.NoOpAsync();
        await client.QuitAsync();

        Assert.Equal(5, (await MailPeers.WaitForDeliveryAsync(recipient, 5)).Count);
    }

    private static async Task<MailAuthenticationException> AuthenticateExpectingFailure(string server, ISaslMechanism mechanism)
    {
        await using var client = new SmtpClient(MailPeers.ClientOptions());
        await client.ConnectAsync(MailPeers.Submission(server));
        var error = await Assert.ThrowsAsync<MailAuthenticationException>(() => client.AuthenticateAsync(mechanism));
        Assert.True(client.IsConnected, "an authentication failure leaves the connection usable");
        await client.NoOpAsync();
        return error;
    }

    private static void AssertRefusedWithChallenge(MailAuthenticationException error)
    {
        Assert.StartsWith("535 ", error.ServerReply);
        Assert.False(error.IsTransient);
        Assert.NotNull(error.SaslServerError);
        Assert.NotNull(error.SaslServerError.Status);
        Assert.Contains(error.ServerReply!, error.Message);
    }

    private static async Task<byte[]> WriteAsync(MimeMessage message)
    {
        using var stream = new MemoryStream();
        await message.WriteToAsync(stream);
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
