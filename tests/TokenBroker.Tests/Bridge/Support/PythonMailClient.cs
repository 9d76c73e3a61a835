using System.Diagnostics;
using System.Text.Json;
using TokenBroker.Testing;
using TokenBroker.Tests.Hosting.Support;

namespace TokenBroker.Tests.Bridge.Support;

/// <summary>
/// Python's smtplib, imaplib and poplib (tests/TokenBroker.Tests/Bridge/clients/bridge_clients.py) as a legacy app:
/// they log in with LOGIN/USER+PASS or PLAIN and the app's bridge secret, passed in the environment.
/// </summary>
internal static class PythonMailClient
{
    public static string Script => Path.Combine(RepositoryRoot.Path, "tests", "TokenBroker.Tests", "Bridge", "clients", "bridge_clients.py");

    /// <summary>The script's JSON answer ({"ok": …}).</summary>
    public static async Task<JsonElement> RunAsync(string action, int port, string tls, string user, string secret, string auth, params string[] arguments)
    {
        var start = new ProcessStartInfo("python3") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { Script, action, "localhost", port.ToString(System.Globalization.CultureInfo.InvariantCulture), tls }.Concat(arguments))
            start.ArgumentList.Add(argument);
        start.Environment["BRIDGE_USER"] = user;
        start.Environment["BRIDGE_SECRET"] = secret;
        start.Environment["BRIDGE_AUTH"] = auth;
        start.Environment["BRIDGE_CA"] = PeersEnvironment.Get("PEERS_CA_FILE");
        using var process = Process.Start(start)!;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(90));
        var output = process.StandardOutput.ReadToEndAsync(timeout.Token);
        var errors = process.StandardError.ReadToEndAsync(timeout.Token);
        await process.WaitForExitAsync(timeout.Token);
        Assert.True(process.ExitCode == 0, $"{action} failed: {await errors}");
        return JsonDocument.Parse(await output).RootElement.Clone();
    }

    public static bool Ok(this JsonElement answer) => answer.GetProperty("ok").GetBoolean();

    public static string Error(this JsonElement answer) => answer.TryGetProperty("error", out var error) ? error.GetString() ?? "" : "";
}
