using TokenBroker.Mail.Pop3;
using TokenBroker.Mail.Tests.Support;

namespace TokenBroker.Mail.Tests.Pop3;

internal static class Pop3Transcript
{
    public const string DovecotGreeting = "+OK Dovecot ready.";

    public static string Lines(params string[] lines) => string.Concat(lines.Select(line => line + "\r\n"));

    public static async Task<(Pop3Client Client, CannedTransport Transport)> StartAsync(string serverText, bool encrypted = true)
    {
        var transport = new CannedTransport(serverText, encrypted);
        var client = new Pop3Client(transport.Connection);
        await client.ReadGreetingAsync(TestContext.Current.CancellationToken);
        return (client, transport);
    }
}
