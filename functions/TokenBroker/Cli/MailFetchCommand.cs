using System.CommandLine;
using System.Text;
using TokenBroker.Mail;
using TokenBroker.Mail.Fetch;
using TokenBroker.Mail.Net;

namespace TokenBroker.Cli;

/// <summary>
/// `tokenbroker mail fetch`: fetches new messages over IMAP or POP3 with an access token read from a
/// file and writes each as DIR/&lt;UID or UIDL&gt;.eml, then prints a summary and the new checkpoint.
/// The token is never printed. Exit codes: 0 done, 1 refused by the server or authentication failed,
/// 2 bad arguments, 3 connection broken.
/// </summary>
public static class MailFetchCommand
{
    public static Command Create()
    {
        var server = new Option<string>("--server") { Description = "imap://HOST[:143] (STARTTLS), imaps://HOST[:993], pop3://HOST[:110] (STLS) or pop3s://HOST[:995].", Required = true };
        var user = MailCliOptions.User();
        var tokenFile = MailCliOptions.TokenFile();
        var caFile = MailCliOptions.CaFile();
        var folder = new Option<string>("--folder") { Description = "IMAP folder.", DefaultValueFactory = _ => "INBOX" };
        var afterUid = new Option<uint?>("--after-uid") { Description = "IMAP: fetch only messages with a UID above N (the last-uid of a printed checkpoint)." };
        var uidValidity = new Option<uint?>("--uidvalidity") { Description = "IMAP: the uidvalidity of that checkpoint; if the folder's differs, everything is fetched again." };
        var output = new Option<DirectoryInfo>("--out") { Description = "Directory for the .eml files (created if missing).", Required = true };
        var mechanism = MailCliOptions.Mechanism();
        var max = new Option<int>("--max") { Description = "At most this many messages.", DefaultValueFactory = _ => 500 };
        var verbose = new Option<bool>("--verbose") { Description = "Print the protocol dialogue to stderr (AUTH payloads redacted, message bodies not shown)." };

        var command = new Command("fetch", "Fetch new messages over IMAP or POP3 with an OAuth2 access token and save them as .eml files.")
        {
            server, user, tokenFile, caFile, folder, afterUid, uidValidity, output, mechanism, max, verbose,
        };
        command.SetAction((result, cancellationToken) =>
        {
            var stdout = result.InvocationConfiguration.Output;
            var errors = result.InvocationConfiguration.Error;
            return MailCliExitCodes.RunAsync("mail fetch", errors, async () =>
            {
                var endpoint = MailEndpoint.Parse(result.GetValue(server)!);
                var options = MailCliInputs.ClientOptions(result.GetValue(caFile), result.GetValue(verbose) ? errors : null);
                var token = await MailCliInputs.ReadTokenAsync(result.GetValue(tokenFile)!, cancellationToken);
                var login = new MailLogin(result.GetValue(user)!, token,
                    result.GetValue(mechanism) == "oauthbearer" ? MailSaslMechanism.OAuthBearer : MailSaslMechanism.XOAuth2);
                var fetchOptions = new MailFetchOptions { Folder = result.GetValue(folder)!, MaxMessages = result.GetValue(max), IncludeFlags = true };
                MailCheckpoint? checkpoint = result.GetValue(afterUid) is { } uid
                    ? new ImapCheckpoint(fetchOptions.Folder, result.GetValue(uidValidity) ?? 0, uid)
                    : null;
                if (checkpoint is not null && endpoint.Protocol != MailProtocol.Imap)
                    throw new ArgumentException("--after-uid applies to IMAP only; POP3 has no UIDs in order.");
                var directory = result.GetValue(output)!;
                directory.Create();

                var fetcher = MailFetcher.Create(endpoint, options, login, fetchOptions);
                var fetched = await fetcher.FetchAsync(checkpoint, async (mail, token) =>
                {
                    var path = Path.Combine(directory.FullName, SafeFileName(mail.Id) + ".eml");
                    var partial = path + ".partial";
                    // Other people's mail: readable by this user only.
                    var create = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
                    if (!OperatingSystem.IsWindows()) create.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
                    await using (var file = new FileStream(partial, create))
                        await mail.Content.CopyToAsync(file, token);
                    File.Move(partial, path, overwrite: true);
                    stdout.WriteLine($"{path}  {mail.Size} bytes{(mail.Flags.Count > 0 ? "  " + string.Join(' ', mail.Flags) : "")}");
                }, cancellationToken: cancellationToken);

                stdout.WriteLine($"Fetched from {endpoint}: {fetched}");
                stdout.WriteLine($"Checkpoint: {fetched.Checkpoint}");
                return 0;
            });
        });
        return command;
    }

    /// <summary>UIDLs may hold any printable ASCII, '/' included: keep letters, digits, '.', '-' and '_'.</summary>
    internal static string SafeFileName(string id)
    {
        var name = new StringBuilder(id.Length);
        foreach (var c in id) name.Append(char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_' ? c : '_');
        return name.Length == 0 || name[0] == '.' ? "_" + name : name.ToString();
    }
}
