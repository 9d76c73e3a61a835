using System.Diagnostics;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Azure.Core.Pipeline;
using Azure.Security.KeyVault.Secrets;
using TokenBroker.Store.KeyVault;
using TokenBroker.Tests.Store.KeyVaultDouble;

namespace TokenBroker.Benchmarks;

/// <summary>
/// The Key Vault double in a process of its own, so that the benchmark's working set is the broker's alone (the
/// double keeps every version of every secret). The child is this executable started with <see cref="ServeArgument"/>;
/// it prints its address and CA, then answers "counts" on stdin with its request counts, and ends when stdin closes.
/// </summary>
internal sealed class VaultDoubleProcess : IAsyncDisposable
{
    public const string ServeArgument = "--serve-keyvault-double";

    private readonly Process _process;
    private readonly X509Certificate2 _root;

    private VaultDoubleProcess(Process process, Uri vaultUri, X509Certificate2 root)
    {
        _process = process;
        VaultUri = vaultUri;
        _root = root;
    }

    public Uri VaultUri { get; }

    public static async Task<VaultDoubleProcess> StartAsync(CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(Environment.ProcessPath!)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
        };
        if (Path.GetFileNameWithoutExtension(Environment.ProcessPath!) == "dotnet")
            start.ArgumentList.Add(typeof(VaultDoubleProcess).Assembly.Location);
        start.ArgumentList.Add(ServeArgument);
        var process = Process.Start(start) ?? throw new InvalidOperationException("The Key Vault double's process did not start.");
        var uri = await process.StandardOutput.ReadLineAsync(cancellationToken) ?? throw new InvalidOperationException("The Key Vault double ended before it listened.");
        var ca = await process.StandardOutput.ReadLineAsync(cancellationToken) ?? throw new InvalidOperationException("The Key Vault double ended before naming its CA.");
        return new VaultDoubleProcess(process, new Uri(uri), X509CertificateLoader.LoadCertificate(Convert.FromBase64String(ca)));
    }

    /// <summary>The child's side: serves until stdin closes.</summary>
    public static async Task<int> ServeAsync()
    {
        await using var server = await KeyVaultDoubleServer.StartAsync();
        Console.WriteLine(server.VaultUri);
        Console.WriteLine(Convert.ToBase64String(server.RootCertificate.RawData));
        while (await Console.In.ReadLineAsync() is { } line)
        {
            if (line == "counts") Console.WriteLine(VaultRequestCounts.Of(server).ToLine());
        }
        return 0;
    }

    public async Task<VaultRequestCounts> CountsAsync(CancellationToken cancellationToken)
    {
        await _process.StandardInput.WriteLineAsync("counts".AsMemory(), cancellationToken);
        await _process.StandardInput.FlushAsync(cancellationToken);
        var line = await _process.StandardOutput.ReadLineAsync(cancellationToken) ?? throw new InvalidOperationException("The Key Vault double ended.");
        return VaultRequestCounts.Parse(line);
    }

    public SecretClient CreateClient(KeyVaultTokenStoreOptions options)
    {
        var clientOptions = KeyVaultTokenStore.CreateClientOptions(options);
        var policy = new X509ChainPolicy { TrustMode = X509ChainTrustMode.CustomRootTrust, RevocationMode = X509RevocationMode.NoCheck };
        policy.CustomTrustStore.Add(_root);
        clientOptions.Transport = new HttpClientTransport(new SocketsHttpHandler
        {
            SslOptions = new SslClientAuthenticationOptions { CertificateChainPolicy = policy },
            ConnectTimeout = TimeSpan.FromSeconds(10),
        });
        clientOptions.DisableChallengeResourceVerification = true;
        return new SecretClient(VaultUri, new FixedTokenCredential(KeyVaultDoubleServer.AccessToken), clientOptions);
    }

    public async ValueTask DisposeAsync()
    {
        _process.StandardInput.Close();
        if (!_process.WaitForExit(TimeSpan.FromSeconds(10))) _process.Kill();
        await _process.WaitForExitAsync();
        _process.Dispose();
        _root.Dispose();
    }
}

/// <summary>Requests the double has answered so far, by kind.</summary>
internal sealed record VaultRequestCounts(int Writes, int ListingPages, int MailboxReads, int OtherReads)
{
    public int Reads => ListingPages + MailboxReads + OtherReads;

    public static VaultRequestCounts Of(KeyVaultDoubleServer server)
    {
        List<DoubleRequest> requests;
        lock (server.Requests) requests = server.Requests.ToList();
        var gets = requests.Where(r => r.Method == "GET").ToList();
        var pages = gets.Count(r => r.Path == "/secrets");
        var mailboxReads = gets.Count(r => r.Path.StartsWith("/secrets/mbx-", StringComparison.Ordinal));
        var otherReads = gets.Count(r => r.Path.StartsWith("/secrets/", StringComparison.Ordinal)) - mailboxReads;
        return new VaultRequestCounts(server.WriteCount, pages, mailboxReads, otherReads);
    }

    public static VaultRequestCounts operator -(VaultRequestCounts after, VaultRequestCounts before) =>
        new(after.Writes - before.Writes, after.ListingPages - before.ListingPages, after.MailboxReads - before.MailboxReads, after.OtherReads - before.OtherReads);

    public string ToLine() => $"{Writes} {ListingPages} {MailboxReads} {OtherReads}";

    public static VaultRequestCounts Parse(string line)
    {
        var parts = line.Split(' ').Select(int.Parse).ToArray();
        return new VaultRequestCounts(parts[0], parts[1], parts[2], parts[3]);
    }
}
