using System.CommandLine;
using TokenBroker.Mail.Sasl;

namespace TokenBroker.Cli;

/// <summary>The options every `mail` command takes the same way: the login, the token file, the extra CA and the mechanism.</summary>
internal static class MailCliOptions
{
    public static Option<string> User(string description = "The SASL user: the mailbox address.") =>
        new("--user") { Description = description, Required = true };

    public static Option<FileInfo> TokenFile()
    {
        var option = new Option<FileInfo>("--token-file") { Description = "A file holding only the access token.", Required = true };
        option.AcceptExistingOnly();
        return option;
    }

    public static Option<FileInfo> CaFile()
    {
        var option = new Option<FileInfo>("--ca-file") { Description = "PEM file with extra CA certificates to trust besides the system's (validation stays on)." };
        option.AcceptExistingOnly();
        return option;
    }

    public static Option<string> Mechanism()
    {
        var option = new Option<string>("--mechanism") { Description = "SASL mechanism.", DefaultValueFactory = _ => "xoauth2" };
        option.AcceptOnlyFromAmong([.. OAuthMechanisms.Names]);
        return option;
    }
}
