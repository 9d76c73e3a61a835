using TokenBroker.Testing;

namespace TokenBroker.Mail.Tests.Peers;

/// <summary>
/// Mail sent to the local peers reaches the recipient's Maildir: Postfix smtpd → Dovecot LMTP, and
/// the two authenticated submission services (Dovecot relaying through Postfix, Postfix with Dovecot SASL).
/// </summary>
public sealed class MailDeliveryTests : IDisposable
{
    private readonly IdentityServerControl _identity = new();

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Message_sent_to_postfix_smtpd_lands_in_the_recipients_maildir()
    {
        var recipient = Maildir.UniqueAddress("smtpd");
        var subject = $"relay {Guid.NewGuid():N}";

        await using (var smtp = await PeerConnection.ConnectAsync(PeersEnvironment.GetInt("POSTFIX_SMTP_PORT"), cancellationToken: Cancellation))
        {
            await SmtpDialog.OpenAsync(smtp, startTls: false, Cancellation);
            await SmtpDialog.SendAsync(smtp, "sender@client.test", recipient, subject, Cancellation);
        }

        var delivered = await Maildir.For(recipient).WaitForMessagesAsync(1, cancellationToken: Cancellation);
        Assert.Equal(subject, Assert.Single(delivered).Subject);
    }

    [Fact]
    public async Task Message_submitted_to_dovecot_with_XOAUTH2_lands_in_the_recipients_maildir()
    {
        var sender = Maildir.UniqueAddress("submission");
        var recipient = Maildir.UniqueAddress("rcpt");
        var token = await _identity.MintAccessTokenAsync(sender, ["SMTP.Send"], cancellationToken: Cancellation);

        await using (var smtp = await PeerConnection.ConnectAsync(PeersEnvironment.GetInt("SUBMISSION_PORT"), cancellationToken: Cancellation))
        {
            await SmtpDialog.OpenAsync(smtp, startTls: true, Cancellation);
            await SmtpDialog.AuthenticateAsync(smtp, "XOAUTH2", SaslPayloads.XOAuth2(sender, token), Cancellation);
            await SmtpDialog.SendAsync(smtp, sender, recipient, "via dovecot submission", Cancellation);
        }

        var delivered = await Maildir.For(recipient).WaitForMessagesAsync(1, cancellationToken: Cancellation);
        Assert.Equal("via dovecot submission", Assert.Single(delivered).Subject);
    }

    [Fact]
    public async Task Postfix_submission_authenticates_OAUTHBEARER_through_dovecot_and_delivers()
    {
        var sender = Maildir.UniqueAddress("postfix-submission");
        var port = PeersEnvironment.GetInt("POSTFIX_SUBMISSION_PORT");
        var token = await _identity.MintAccessTokenAsync(sender, ["SMTP.Send"], cancellationToken: Cancellation);

        await using (var smtp = await PeerConnection.ConnectAsync(port, cancellationToken: Cancellation))
        {
            var ehlo = await SmtpDialog.OpenAsync(smtp, startTls: true, Cancellation);
            Assert.Contains(ehlo, line => line.Contains("AUTH", StringComparison.Ordinal) && line.Contains("OAUTHBEARER", StringComparison.Ordinal) && line.Contains("XOAUTH2", StringComparison.Ordinal));
            await SmtpDialog.AuthenticateAsync(smtp, "OAUTHBEARER", SaslPayloads.OAuthBearer(sender, token, port), Cancellation);
            await SmtpDialog.SendAsync(smtp, sender, sender, "via postfix submission", Cancellation);
        }

        var delivered = await Maildir.For(sender).WaitForMessagesAsync(1, cancellationToken: Cancellation);
        Assert.Equal("via postfix submission", Assert.Single(delivered).Subject);
    }

    [Fact]
    public async Task Pop3_login_with_XOAUTH2_after_the_prompt_sees_delivered_mail()
    {
        var user = Maildir.UniqueAddress("pop3");
        await using (var smtp = await PeerConnection.ConnectAsync(PeersEnvironment.GetInt("POSTFIX_SMTP_PORT"), cancellationToken: Cancellation))
        {
            await SmtpDialog.OpenAsync(smtp, startTls: false, Cancellation);
            await SmtpDialog.SendAsync(smtp, "sender@client.test", user, "for pop3", Cancellation);
        }
        await Maildir.For(user).WaitForMessagesAsync(1, cancellationToken: Cancellation);
        var token = await _identity.MintAccessTokenAsync(user, ["POP.AccessAsUser.All"], cancellationToken: Cancellation);

        await using var pop3 = await PeerConnection.ConnectAsync(PeersEnvironment.GetInt("POP3_PORT"), cancellationToken: Cancellation);
        Assert.StartsWith("+OK", await pop3.ReadLineAsync(Cancellation));
        await pop3.WriteLineAsync("STLS", Cancellation);
        Assert.StartsWith("+OK", await pop3.ReadLineAsync(Cancellation));
        await pop3.StartTlsAsync(Cancellation);
        await pop3.WriteLineAsync("AUTH XOAUTH2", Cancellation);
        Assert.StartsWith("+", await pop3.ReadLineAsync(Cancellation));
        await pop3.WriteLineAsync(SaslPayloads.XOAuth2(user, token), Cancellation);
        Assert.StartsWith("+OK", await pop3.ReadLineAsync(Cancellation));
        await pop3.WriteLineAsync("STAT", Cancellation);

        Assert.Matches(@"^\+OK 1 \d+$", await pop3.ReadLineAsync(Cancellation));
    }

    public void Dispose() => _identity.Dispose();
}
