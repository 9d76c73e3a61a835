namespace TokenBroker.Testing;

/// <summary>
/// What infra/local/peers/*.sh wrote when they started the real peers: KEY=VALUE lines in
/// "$PEERS_DIR/*.env". A test that needs a peer asks for its keys; a missing peer fails the test
/// with the command that starts it, rather than skipping silently.
/// </summary>
public static class PeersEnvironment
{
    private static readonly Lazy<(string Directory, IReadOnlyDictionary<string, string> Values)> Loaded = new(Load);

    public static string Directory => Loaded.Value.Directory;

    public static string Get(string key) =>
        Loaded.Value.Values.TryGetValue(key, out var value)
            ? value
            : throw new InvalidOperationException(
                $"Peer setting '{key}' is not in {Loaded.Value.Directory}/*.env: start the peers with ./infra/local/peers/peers.sh start (the test command does).");

    public static int GetInt(string key) => int.Parse(Get(key), System.Globalization.CultureInfo.InvariantCulture);

    private static (string, IReadOnlyDictionary<string, string>) Load()
    {
        var directory = Environment.GetEnvironmentVariable("PEERS_DIR") ?? FindRepoPeersDirectory();
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        if (System.IO.Directory.Exists(directory))
        {
            foreach (var file in System.IO.Directory.GetFiles(directory, "*.env").Order(StringComparer.Ordinal))
            {
                foreach (var line in File.ReadAllLines(file))
                {
                    var separator = line.IndexOf('=');
                    if (separator > 0 && !line.StartsWith('#'))
                        values[line[..separator].Trim()] = line[(separator + 1)..].Trim();
                }
            }
        }
        return (directory, values);
    }

    private static string FindRepoPeersDirectory()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "TokenBroker.sln")))
                return Path.Combine(dir.FullName, ".peers");
        }
        return Path.GetFullPath(".peers");
    }
}
