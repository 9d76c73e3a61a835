using System.CommandLine;
using TokenBroker.Mail;
using TokenBroker.Mail.Mime;
using TokenBroker.Mail.Net;
using TokenBroker.Mail.Sasl;
using TokenBroker.Mail.Smtp;

namespace TokenBroker.Cli;

/// <summary>
/// `tokenbroker mail send`: sends one message with an access token read from a file, for trying a
/// mailbox's SMTP setup by hand. The token is never printed; failures show the server's reply.
/// Exit codes: 0 sent, 1 refused by the server or authentication failed, 2 bad arguments, 3 connection broken.
/// </summary>
public static class MailSendCommand
{
    public static Command Create()
    {
        var server = new Option<string>("--server") { Description = "smtp://HOST[:587] (STARTTLS) or smtps://HOST[:465] (implicit TLS).", Required = true };
        var user = MailCliOptions.User("The SASL user: the mailbox address the token belongs to (a shared mailbox's address for delegated access).");
        var tokenFile = MailCliOptions.TokenFile();
        var mechanism = MailCliOptions.Mechanism();
        var caFile = MailCliOptions.CaFile();
        var from = new Option<string>("--from") { Description = "Sender address, optionally \"Name <addr>\".", Required = true };
        var to = new Option<string[]>("--to") { Description = "Recipient address (repeat or list several).", Required = true, AllowMultipleArgumentsPerToken = true };
        var subject = new Option<string>("--subject") { Description = "Subject (any language).", Required = true };
        var text = new Option<string>("--text") { Description = "Plain-text body.", Required = true };
        var html = new Option<FileInfo>("--html") { Description = "A file with an HTML body (sent as multipart/alternative with --text)." };
        html.AcceptExistingOnly();
        var attach = new Option<FileInfo[]>("--attach") { Description = "A file to attach (repeat for several).", AllowMultipleArgumentsPerToken = true };
        attach.AcceptExistingOnly();
        var verbose = new Option<bool>("--verbose") { Description = "Print the SMTP dialogue to stderr (AUTH payloads redacted)." };

        var command = new Command("send", "Send one message through SMTP with an OAuth2 access token (XOAUTH2 or OAUTHBEARER).")
        {
            server, user, tokenFile, mechanism, caFile, from, to, subject, text, html, attach, verbose,
        };
        command.SetAction((result, cancellationToken) =>
        {
            var output = result.InvocationConfiguration.Output;
            var errors = result.InvocationConfiguration.Error;
            return MailCliExitCodes.RunAsync("mail send", errors, async () =>
            {
                var endpoint = MailEndpoint.Parse(result.GetValue(server)!);
                if (endpoint.Protocol != MailProtocol.Smtp)
                    throw new FormatException($"{endpoint} is not an SMTP server; use smtp:// or smtps://.");
                var options = MailCliInputs.ClientOptions(result.GetValue(caFile), result.GetValue(verbose) ? errors : null);

                var sender = result.GetValue(from)!;
                if (!MailboxAddress.TryParse(sender, out var senderAddress, out var senderError))
                    throw new FormatException($"--from '{sender}' is not a valid address: {senderError}.");
                var content = new OutgoingMessage
                {
                    From = sender,
                    To = result.GetValue(to)!,
                    Subject = result.GetValue(subject),
                    Text = result.GetValue(text),
                    Html = result.GetValue(html) is { } htmlFile ? await File.ReadAllTextAsync(htmlFile.FullName, cancellationToken) : null,
                    MessageId = MessageIds.New(senderAddress.Domain),
                    Date = DateTimeOffset.Now,
                };
                var attachments = new List<OutgoingAttachment>();
                foreach (var file in result.GetValue(attach) ?? [])
                    attachments.Add(new OutgoingAttachment(file.Name, await File.ReadAllBytesAsync(file.FullName, cancellationToken)));
                var message = OutgoingMessageBuilder.Build(content with { Attachments = attachments });

                var token = await MailCliInputs.ReadTokenAsync(result.GetValue(tokenFile)!, cancellationToken);
                var sasl = OAuthMechanisms.CreateSasl(result.GetValue(mechanism)!, result.GetValue(user)!, token, endpoint);

                var sent = await new SmtpSubmission(options).SendAsync(endpoint, sasl, message, cancellationToken);
                output.WriteLine($"Sent <{message.MessageId}> to {string.Join(", ", sent.AcceptedRecipients)}: {sent.Reply}");
                foreach (var refusal in sent.RefusedRecipients)
                    output.WriteLine($"Refused {refusal.Address}: {refusal.Reply}");
                return sent.RefusedRecipients.Count == 0 ? 0 : MailCliExitCodes.Refused;
            });
        });
        return command;
    }
}
