using TokenBroker.Mail;

namespace TokenBroker.Cli;

/// <summary>
/// How a `mail` command's failure becomes its exit code and one line on stderr: 2 bad arguments, 1 refused by
/// the server or authentication failed, 3 connection broken. Messages never hold the token: the mechanisms
/// report only which rule it broke, and protocol errors carry the server's reply.
/// </summary>
internal static class MailCliExitCodes
{
    public const int BadArguments = 2;
    public const int Refused = 1;
    public const int ConnectionBroken = 3;

    public static async Task<int> RunAsync(string command, TextWriter errors, Func<Task<int>> body)
    {
        try
        {
            return await body();
        }
        catch (Exception e) when (e is FormatException or ArgumentException)
        {
            errors.WriteLine($"tokenbroker {command}: {e.Message}");
            return BadArguments;
        }
        catch (Exception e) when (e is MailAuthenticationException or MailCommandException)
        {
            errors.WriteLine($"tokenbroker {command}: {e.Message}");
            return Refused;
        }
        catch (MailProtocolException e)
        {
            errors.WriteLine($"tokenbroker {command}: {e.Message}");
            return ConnectionBroken;
        }
    }
}
