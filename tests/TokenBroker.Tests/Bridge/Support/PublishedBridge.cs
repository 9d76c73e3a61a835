using System.Diagnostics;
using System.Net.Sockets;
using TokenBroker.Tests.Hosting.Support;
using TokenBroker.Tests.Jobs.Mail.Support;

namespace TokenBroker.Tests.Bridge.Support;

/// <summary>
/// `tokenbroker bridge` from the published executable, in a process of its own on the broker's data folder and settings,
/// as an operator runs it: the configuration the bridge really has (its socket completions inline, its own thread pool),
/// which an in-process bridge in the test host cannot have.
/// </summary>
internal sealed class PublishedBridge : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringWriter _errors = new();

    private PublishedBridge(Process process, int smtpPort, int imapPort)
    {
        _process = process;
        SmtpPort = smtpPort;
        ImapPort = imapPort;
    }

    public int SmtpPort { get; }
    public int ImapPort { get; }

    /// <summary>Starts it with <paramref name="bridge"/>'s settings on new ports (SMTP and IMAP, STARTTLS) and waits until both accept connections.</summary>
    public static async Task<PublishedBridge> StartAsync(RunningBridge bridge)
    {
        var (smtp, imap) = (MailBrokerPeers.FreePort(), MailBrokerPeers.FreePort());
        var start = new ProcessStartInfo(PublishedBroker.Executable, ["bridge"])
        {
            WorkingDirectory = Directory.CreateTempSubdirectory("published-bridge-").FullName,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var (key, value) in bridge.Settings.Where(s => !s.Key.StartsWith("Bridge:Pop3:", StringComparison.Ordinal)))
            start.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        start.Environment["Bridge__Smtp__Listen"] = $"127.0.0.1:{smtp}";
        start.Environment["Bridge__Imap__Listen"] = $"127.0.0.1:{imap}";
        var process = Process.Start(start)!;
        var published = new PublishedBridge(process, smtp, imap);
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, line) => { if (line.Data is not null) lock (published._errors) published._errors.WriteLine(line.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        foreach (var port in new[] { smtp, imap })
        {
            while (true)
            {
                if (process.HasExited)
                    throw new InvalidOperationException($"The published bridge ended with {process.ExitCode}: {published.Errors}");
                try
                {
                    using var probe = new TcpClient();
                    await probe.ConnectAsync("127.0.0.1", port, limit.Token);
                    break;
                }
                catch (SocketException)
                {
                    await Task.Delay(50, limit.Token);
                }
            }
        }
        return published;
    }

    public string Errors
    {
        get
        {
            lock (_errors) return _errors.ToString();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
        _process.Dispose();
    }
}
