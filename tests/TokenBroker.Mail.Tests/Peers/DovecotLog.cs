using TokenBroker.Testing;

namespace TokenBroker.Mail.Tests.Peers;

/// <summary>Dovecot's log (DOVECOT_LOG), where it names why a login failed.</summary>
internal static class DovecotLog
{
    /// <summary>Waits (bounded) for a log line that mentions both texts; returns it.</summary>
    public static async Task<string> WaitForLineAsync(string user, string reason, CancellationToken cancellationToken = default)
    {
        var path = PeersEnvironment.Get("DOVECOT_LOG");
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(5);
        while (true)
        {
            using (var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite))
            using (var reader = new StreamReader(stream))
            {
                while (await reader.ReadLineAsync(cancellationToken) is { } line)
                {
                    if (line.Contains(user, StringComparison.Ordinal) && line.Contains(reason, StringComparison.Ordinal))
                        return line;
                }
            }
            if (DateTime.UtcNow >= deadline)
                throw new TimeoutException($"No line in {path} names '{user}' and '{reason}'.");
            await Task.Delay(50, cancellationToken);
        }
    }
}
