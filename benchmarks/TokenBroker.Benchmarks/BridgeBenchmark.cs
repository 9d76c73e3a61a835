using System.Diagnostics;
using System.Globalization;
using MailKit;
using MailKit.Net.Imap;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using MimeKit;
using TokenBroker.Bridge;
using TokenBroker.Callers;
using TokenBroker.Mail.Net;
using TokenBroker.Mail.Sasl;
using TokenBroker.OAuth;
using TokenBroker.Testing;

namespace TokenBroker.Benchmarks;

/// <summary>
/// The mail bridge against going straight to the servers with XOAUTH2, in one run on the same Dovecot: the same client
/// (MailKit) logs in to the bridge with the app's secret (PLAIN) or to Dovecot with a token (XOAUTH2). Rounds alternate.
/// SMTP messages/s on one reused connection and with one connection per message (connect, STARTTLS, AUTH, one message,
/// QUIT), IMAP fetch MB/s (BODY.PEEK[] of every message), IMAP connect + TLS + login time (median, p90), and the wall
/// time of 100 apps logging in to the bridge at once.
/// Args: [reused-messages=300] [per-connection messages=60] [imap messages=60] [message KB for IMAP=200] [rounds=3] [logins=60].
/// </summary>
public sealed class BridgeBenchmark : IBenchmark
{
    public const string ServeArgument = "--serve-bridge";

    /// <summary>A line the benchmark writes to the bridge's process, which answers with how many methods its JIT has compiled.</summary>
    private const string CompiledMethodsRequest = "compiled-methods";

    public string Name => "bridge";

    public async Task RunAsync(string[] args, CancellationToken cancellationToken)
    {
        int Arg(int i, int fallback) => args.Length > i ? int.Parse(args[i], CultureInfo.InvariantCulture) : fallback;
        var (reused, perConnection, imapMessages, messageKb, rounds, logins) = (Arg(0, 300), Arg(1, 60), Arg(2, 60), Arg(3, 200), Arg(4, 3), Arg(5, 60));
        // "plain": the apps reach the bridge over loopback without TLS (allowed there), so only the server side pays a TLS
        // stream; by default they use STARTTLS / implicit TLS as an app on another machine must.
        var appTls = args.Length <= 6 || args[6] != "plain";
        var host = PeersEnvironment.Get("MAIL_HOST");
        var domain = PeersEnvironment.Get("IDENTITY_TENANT_DOMAIN");
        var mailbox = $"bridge-bench-{Guid.NewGuid().ToString("N")[..8]}@{domain}";
        var recipient = $"bridge-rcpt-{Guid.NewGuid().ToString("N")[..8]}@{domain}";
        var data = Directory.CreateTempSubdirectory("tokenbroker-bridge-bench-").FullName;
        var settings = new Dictionary<string, string?>(BenchmarkConsent.OAuthSettings("bridge-bench-" + Guid.NewGuid().ToString("N")[..8]))
        {
            ["Broker:DataDirectory"] = data,
            ["TokenStore:Kind"] = "Embedded",
            ["Logging:LogLevel:Default"] = "Warning",
            ["Mail:ExtraTrustedCaFile"] = PeersEnvironment.Get("PEERS_CA_FILE"),
            ["Mail:Governor:MessagesPerMinute"] = "1000000",
            ["Bridge:Smtp:Listen"] = "127.0.0.1:0",
            ["Bridge:Smtp:Tls"] = appTls ? "starttls" : "none",
            ["Bridge:Smtp:Upstream"] = $"smtp://{host}:{PeersEnvironment.Get("SUBMISSION_PORT")}",
            ["Bridge:Imap:Listen"] = "127.0.0.1:0",
            ["Bridge:Imap:Tls"] = appTls ? "implicit" : "none",
            ["Bridge:Imap:Upstream"] = $"imaps://{host}:{PeersEnvironment.Get("IMAPS_PORT")}",
            ["Bridge:CertificateFile"] = PeersEnvironment.Get("PEERS_CERT_FILE"),
            ["Bridge:CertificateKeyFile"] = PeersEnvironment.Get("PEERS_KEY_FILE"),
        };
        var bridgeArgs = settings.Select(s => $"--{s.Key}={s.Value}").ToArray();
        // Consent and the apps' secrets go into the data folder through a host that never listens; the bridge itself runs
        // in a process of its own on that folder, as it does next to the apps (in this process it shared the thread pool
        // with the benchmark's clients).
        using var setup = BuildHost(bridgeArgs);
        using (var browser = new HttpClient(BenchmarkConsent.TrustingHandler()))
            await BenchmarkConsent.ConsentAsync(setup.Services, browser, mailbox, cancellationToken);
        var registry = setup.Services.GetRequiredService<IClientRegistry>();
        async Task<string> AddAppAsync(string name)
        {
            var (id, secret, hash) = ClientSecret.Create();
            MailboxScope.TryParse(mailbox, out var scope, out _);
            await registry.AddAsync(new BrokerClient(id, name, hash, scope, CallerOperations.Bridge, DateTimeOffset.UtcNow), cancellationToken);
            return secret;
        }
        var secret = await AddAppAsync("bench-app");
        await using var bridge = await BridgeProcess.StartAsync(bridgeArgs, cancellationToken);
        using var identity = new IdentityServerControl();
        var token = await identity.MintAccessTokenAsync(mailbox, cancellationToken: cancellationToken);

        var direct = new Target("direct XOAUTH2", host, PeersEnvironment.GetInt("SUBMISSION_PORT"), PeersEnvironment.GetInt("IMAPS_PORT"),
            client => client.AuthenticateAsync(new XOAuth2SaslMechanism(mailbox, token), cancellationToken));
        var bridged = new Target(appTls ? "bridge (PLAIN)" : "bridge (PLAIN, loopback without TLS)", "localhost", bridge.SmtpPort, bridge.ImapPort,
            client => client.AuthenticateAsync(new SaslMechanismPlain(mailbox, secret), cancellationToken), appTls);
        // The recipient's mailbox, read directly: each measurement starts once the previous one's mail is delivered
        // (Postfix and Dovecot LMTP delivering hundreds of messages would otherwise share the CPU with the next one).
        var recipientToken = await identity.MintAccessTokenAsync(recipient, cancellationToken: cancellationToken);
        var recipientInbox = direct with { LogInAsync = client => client.AuthenticateAsync(new XOAuth2SaslMechanism(recipient, recipientToken), cancellationToken) };
        var sentToRecipient = 0;
        var small = Message(mailbox, recipient, 1);
        var large = Message(mailbox, mailbox, messageKb);

        // Mail to read: the same messages serve both paths.
        using (var smtp = await direct.OpenSmtpAsync(cancellationToken))
            for (var i = 0; i < imapMessages; i++) await smtp.SendAsync(large, cancellationToken);
        await WaitForInboxAsync(direct, imapMessages, cancellationToken);
        // Warm-up: the bridge's token cache and pooled upstream session, Dovecot's processes, and the JIT: the bridge's
        // process starts cold and recompiles its hot code at tier 1 for tens of seconds (a third of its CPU 15-35 s after
        // start), while a bridge next to the apps runs for days. Passes repeat until one compiles next to nothing.
        for (var pass = 1; pass <= 30; pass++)
        {
            var (cpuBefore, compiledBefore) = (bridge.CpuTime, await bridge.CompiledMethodsAsync(cancellationToken));
            foreach (var target in new[] { direct, bridged })
            {
                await SendReusedAsync(target, small, 100, cancellationToken);
                await LoginTimesAsync(target, 20, cancellationToken);
                await FetchAsync(target, cancellationToken);
            }
            sentToRecipient += 200;
            var compiled = await bridge.CompiledMethodsAsync(cancellationToken) - compiledBefore;
            Console.WriteLine($"warm-up pass {pass}: the bridge used {(bridge.CpuTime - cpuBefore).TotalMilliseconds:0} ms CPU and compiled {compiled} methods");
            if (compiled < 10) break;
        }

        var results = new Dictionary<(string Measure, string Target), List<double>>();
        void Add(string measure, Target target, double value) =>
            (results.TryGetValue((measure, target.Name), out var list) ? list : results[(measure, target.Name)] = []).Add(value);
        var loginSamples = new Dictionary<string, List<double>>();
        var bridgeCpu = new Dictionary<string, List<double>>();
        for (var round = 0; round < rounds; round++)
        {
            foreach (var target in round % 2 == 0 ? new[] { direct, bridged } : [bridged, direct])
            {
                // The bridge's own CPU per unit of work: on a machine with few cores, what it takes is what the mail
                // server and the app do not get.
                async Task<double> MeasureAsync(string cpuMeasure, double units, Func<Task<double>> measure)
                {
                    var before = bridge.CpuTime;
                    var value = await measure();
                    if (target == bridged) (bridgeCpu.TryGetValue(cpuMeasure, out var list) ? list : bridgeCpu[cpuMeasure] = []).Add((bridge.CpuTime - before).TotalMicroseconds / units);
                    return value;
                }
                await WaitForInboxAsync(recipientInbox, sentToRecipient, cancellationToken);
                Add("smtp reused (msg/s)", target, await MeasureAsync("smtp reused (µs/msg)", reused, () => SendReusedAsync(target, small, reused, cancellationToken)));
                sentToRecipient += reused;
                await WaitForInboxAsync(recipientInbox, sentToRecipient, cancellationToken);
                Add("smtp per connection (msg/s)", target, await MeasureAsync("smtp per connection (µs/msg)", perConnection, () => SendPerConnectionAsync(target, small, perConnection, cancellationToken)));
                sentToRecipient += perConnection;
                await WaitForInboxAsync(recipientInbox, sentToRecipient, cancellationToken);
                Add("imap fetch (MB/s)", target, await MeasureAsync("imap fetch (µs/MB)", imapMessages * messageKb / 1024.0, () => FetchAsync(target, cancellationToken)));
                var times = await LoginTimesAsync(target, logins, cancellationToken);
                (loginSamples.TryGetValue(target.Name, out var all) ? all : loginSamples[target.Name] = []).AddRange(times);
            }
        }

        // Each round measures both sides back to back: the ratio within a round sees one state of the machine (Dovecot,
        // Postfix, the kernel), which drifts between rounds more than the two sides differ.
        Console.WriteLine($"{"measure",-30} {"direct",12} {"bridge",12} {"bridge/direct",14}   (median of {rounds} rounds; per-round ratios: median, range)");
        foreach (var measure in results.Keys.Select(k => k.Measure).Distinct())
        {
            var (directRounds, bridgeRounds) = (results[(measure, direct.Name)], results[(measure, bridged.Name)]);
            var (d, b) = (Median(directRounds), Median(bridgeRounds));
            var paired = bridgeRounds.Zip(directRounds, (bridgeValue, directValue) => bridgeValue / directValue).ToList();
            Console.WriteLine($"{measure,-30} {d,12:0.0} {b,12:0.0} {b / d,13:0.00}x   per round {Median(paired):0.00}x ({paired.Min():0.00}-{paired.Max():0.00})");
        }
        var (dMedian, dP90) = (Percentile(loginSamples[direct.Name], 0.5), Percentile(loginSamples[direct.Name], 0.9));
        var (bMedian, bP90) = (Percentile(loginSamples[bridged.Name], 0.5), Percentile(loginSamples[bridged.Name], 0.9));
        Console.WriteLine($"{"imap connect+login (ms)",-30} {dMedian,12:0.0} {bMedian,12:0.0}   added {bMedian - dMedian:0.0} ms median; p90 {dP90:0.0} vs {bP90:0.0} ms");
        Console.WriteLine("bridge process CPU (median): " + string.Join(", ", bridgeCpu.Select(c => $"{c.Key.Replace(" (", " ", StringComparison.Ordinal).TrimEnd(')')} {Median(c.Value):0}")));

        var secrets = new List<string>();
        for (var i = 0; i < 100; i++) secrets.Add(await AddAppAsync($"bench-app-{i:D3}"));
        async Task<double> StormAsync(Target target, Func<int, SaslMechanism> mechanism)
        {
            var watch = Stopwatch.StartNew();
            await Task.WhenAll(Enumerable.Range(0, 100).Select(i => Task.Run(async () =>
            {
                using var client = await target.OpenImapAsync(cancellationToken);
                await client.AuthenticateAsync(mechanism(i), cancellationToken);
                await client.DisconnectAsync(true, cancellationToken);
            }, cancellationToken)));
            return watch.Elapsed.TotalMilliseconds;
        }
        var directStorm = await StormAsync(direct, _ => new XOAuth2SaslMechanism(mailbox, token));
        var bridgeStorm = await StormAsync(bridged, i => new SaslMechanismPlain(mailbox, secrets[i]));
        Console.WriteLine($"100 IMAP logins at once (connect, TLS, login, LOGOUT), wall time: direct {directStorm:0} ms, bridge (100 different apps) {bridgeStorm:0} ms");
    }

    private static Microsoft.Extensions.Hosting.IHost BuildHost(string[] bridgeArgs) =>
        BridgeHost.Build(bridgeArgs, services => services.AddSingleton(new IdentityProviderHttpHandler(BenchmarkConsent.TrustingHandler())));

    /// <summary>The child's side: the bridge on the settings given, its SMTP and IMAP ports on stdout, until stdin closes.</summary>
    public static async Task<int> ServeAsync(string[] bridgeArgs)
    {
        BridgeSockets.PreferInlineCompletions(); // as `tokenbroker bridge` does
        using var bridge = BuildHost(bridgeArgs);
        await bridge.StartAsync();
        var service = bridge.Services.GetRequiredService<BridgeService>();
        await service.Listening;
        Console.WriteLine($"{service.EndpointOf(MailProtocol.Smtp).Port} {service.EndpointOf(MailProtocol.Imap).Port}");
        while (await Console.In.ReadLineAsync() is { } request)
            if (request == CompiledMethodsRequest) Console.WriteLine($"{CompiledMethodsRequest} {System.Runtime.JitInfo.GetCompiledMethodCount()}");
        await bridge.StopAsync();
        return 0;
    }

    private sealed class BridgeProcess(System.Diagnostics.Process process, int smtpPort, int imapPort) : IAsyncDisposable
    {
        private readonly System.Threading.Channels.Channel<long> _compiledMethods = System.Threading.Channels.Channel.CreateUnbounded<long>();

        public int SmtpPort { get; } = smtpPort;
        public int ImapPort { get; } = imapPort;

        public TimeSpan CpuTime
        {
            get
            {
                process.Refresh();
                return process.TotalProcessorTime;
            }
        }

        public static async Task<BridgeProcess> StartAsync(string[] bridgeArgs, CancellationToken cancellationToken)
        {
            var start = new System.Diagnostics.ProcessStartInfo(Environment.ProcessPath!) { RedirectStandardInput = true, RedirectStandardOutput = true };
            if (Path.GetFileNameWithoutExtension(Environment.ProcessPath!) == "dotnet")
                start.ArgumentList.Add(typeof(BridgeBenchmark).Assembly.Location);
            start.ArgumentList.Add(BridgeBenchmark.ServeArgument);
            foreach (var arg in bridgeArgs) start.ArgumentList.Add(arg);
            var process = System.Diagnostics.Process.Start(start) ?? throw new InvalidOperationException("The bridge's process did not start.");
            string? line;
            do line = await process.StandardOutput.ReadLineAsync(cancellationToken);
            while (line is not null && !System.Text.RegularExpressions.Regex.IsMatch(line, @"^\d+ \d+$"));
            if (line is null) throw new InvalidOperationException("The bridge's process ended before it listened.");
            var ports = line.Split(' ').Select(p => int.Parse(p, CultureInfo.InvariantCulture)).ToArray();
            var bridge = new BridgeProcess(process, ports[0], ports[1]);
            // Its other lines are the bridge's business; keep its stdout from filling up.
            _ = Task.Run(async () =>
            {
                while (await process.StandardOutput.ReadLineAsync(CancellationToken.None) is { } answer)
                    if (answer.StartsWith(CompiledMethodsRequest + " ", StringComparison.Ordinal))
                        bridge._compiledMethods.Writer.TryWrite(long.Parse(answer[(CompiledMethodsRequest.Length + 1)..], CultureInfo.InvariantCulture));
            }, CancellationToken.None);
            return bridge;
        }

        public async Task<long> CompiledMethodsAsync(CancellationToken cancellationToken)
        {
            await process.StandardInput.WriteLineAsync(CompiledMethodsRequest);
            await process.StandardInput.FlushAsync(cancellationToken);
            return await _compiledMethods.Reader.ReadAsync(cancellationToken);
        }

        public async ValueTask DisposeAsync()
        {
            process.StandardInput.Close();
            if (!process.WaitForExit(TimeSpan.FromSeconds(10))) process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            process.Dispose();
        }
    }

    private sealed record Target(string Name, string Host, int SmtpPort, int ImapPort, Func<MailService, Task> LogInAsync, bool Tls = true)
    {
        public async Task<SmtpClient> OpenSmtpAsync(CancellationToken cancellationToken)
        {
            var client = new SmtpClient { ServerCertificateValidationCallback = TestCertificates.ValidationCallback };
            await client.ConnectAsync(Host, SmtpPort, Tls ? SecureSocketOptions.StartTls : SecureSocketOptions.None, cancellationToken);
            await LogInAsync(client);
            return client;
        }

        public async Task<ImapClient> OpenImapAsync(CancellationToken cancellationToken)
        {
            var client = new ImapClient { ServerCertificateValidationCallback = TestCertificates.ValidationCallback };
            await client.ConnectAsync(Host, ImapPort, Tls ? SecureSocketOptions.SslOnConnect : SecureSocketOptions.None, cancellationToken);
            return client;
        }
    }

    private static MimeMessage Message(string from, string to, int kilobytes)
    {
        var message = new MimeMessage();
        message.From.Add(MailboxAddress.Parse(from));
        message.To.Add(MailboxAddress.Parse(to));
        message.Subject = "bridge benchmark";
        var line = new string('x', 76) + "\r\n";
        message.Body = new TextPart("plain") { Text = string.Concat(Enumerable.Repeat(line, Math.Max(1, kilobytes * 1024 / line.Length))) };
        return message;
    }

    private static async Task<double> SendReusedAsync(Target target, MimeMessage message, int count, CancellationToken cancellationToken)
    {
        using var client = await target.OpenSmtpAsync(cancellationToken);
        var watch = Stopwatch.StartNew();
        for (var i = 0; i < count; i++) await client.SendAsync(message, cancellationToken);
        var rate = count / watch.Elapsed.TotalSeconds;
        await client.DisconnectAsync(true, cancellationToken);
        return rate;
    }

    private static async Task<double> SendPerConnectionAsync(Target target, MimeMessage message, int count, CancellationToken cancellationToken)
    {
        var watch = Stopwatch.StartNew();
        for (var i = 0; i < count; i++)
        {
            using var client = await target.OpenSmtpAsync(cancellationToken);
            await client.SendAsync(message, cancellationToken);
            await client.DisconnectAsync(true, cancellationToken);
        }
        return count / watch.Elapsed.TotalSeconds;
    }

    private static async Task<double> FetchAsync(Target target, CancellationToken cancellationToken)
    {
        using var client = await target.OpenImapAsync(cancellationToken);
        await target.LogInAsync(client);
        var inbox = (ImapFolder)client.Inbox;
        await inbox.OpenAsync(FolderAccess.ReadOnly, cancellationToken);
        long bytes = 0;
        var watch = Stopwatch.StartNew();
        await inbox.GetStreamsAsync(UniqueIdRange.All, (_, _, _, stream, _) =>
        {
            bytes += stream.Length;
            return Task.CompletedTask;
        }, cancellationToken);
        var seconds = watch.Elapsed.TotalSeconds;
        await client.DisconnectAsync(true, cancellationToken);
        return bytes / 1_000_000.0 / seconds;
    }

    private static async Task<List<double>> LoginTimesAsync(Target target, int count, CancellationToken cancellationToken)
    {
        var times = new List<double>();
        for (var i = 0; i < count; i++)
        {
            var watch = Stopwatch.StartNew();
            using var client = await target.OpenImapAsync(cancellationToken);
            await target.LogInAsync(client);
            times.Add(watch.Elapsed.TotalMilliseconds);
            await client.DisconnectAsync(true, cancellationToken);
        }
        return times;
    }

    private static async Task WaitForInboxAsync(Target target, int count, CancellationToken cancellationToken)
    {
        using var client = await target.OpenImapAsync(cancellationToken);
        await target.LogInAsync(client);
        for (var attempt = 0; attempt < 600; attempt++)
        {
            await client.Inbox.OpenAsync(FolderAccess.ReadOnly, cancellationToken);
            if (client.Inbox.Count >= count) break;
            await client.Inbox.CloseAsync(false, cancellationToken);
            await Task.Delay(100, cancellationToken);
        }
        await client.DisconnectAsync(true, cancellationToken);
    }

    private static double Median(List<double> values) => Percentile(values, 0.5);

    private static double Percentile(List<double> values, double p)
    {
        var sorted = values.Order().ToList();
        return sorted[(int)Math.Min(sorted.Count - 1, Math.Floor(p * sorted.Count))];
    }
}
