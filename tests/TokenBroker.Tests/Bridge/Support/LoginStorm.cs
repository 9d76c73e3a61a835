using MailKit.Net.Imap;
using MailKit.Security;

namespace TokenBroker.Tests.Bridge.Support;

/// <summary>Sixty apps logging in at once, half with a wrong secret, while one logged-in session keeps sending NOOP.</summary>
internal static class LoginStorm
{
    /// <returns>How many NOOPs of <paramref name="steady"/> were answered before the storm was over.</returns>
    public static async Task<int> CountAnswersDuringAsync(ImapClient steady, Func<Task<ImapClient>> connect, string mailbox, string secret, CancellationToken cancellationToken)
    {
        var storm = Task.WhenAll(Enumerable.Range(0, 60).Select(i => Task.Run(async () =>
        {
            using var client = await connect();
            try
            {
                await client.AuthenticateAsync(mailbox, i % 2 == 0 ? secret : "tbc_wrong_" + new string('y', 43), cancellationToken);
                await client.DisconnectAsync(true, cancellationToken);
            }
            catch (AuthenticationException)
            {
            }
        }, cancellationToken)));

        var answered = 0;
        while (!storm.IsCompleted)
        {
            await steady.NoOpAsync(cancellationToken);
            if (!storm.IsCompleted) answered++;
        }
        await storm;
        return answered;
    }
}
