using System.CommandLine;
using TokenBroker.Cli;
using TokenBroker.Testing;
using TokenBroker.Tests.OAuth.Support;

namespace TokenBroker.Tests.Cli.Support;

/// <summary>
/// Runs a CLI command the way an operator does on the broker's machine: over the OAuth test host's data folder and
/// app registration, reaching the real identity server through OAuth:TrustedCaFile (the test CA), not a test handler.
/// </summary>
internal static class LocalOAuthCli
{
    public static string CaFile => PeersEnvironment.Get("PEERS_CA_FILE");

    public static List<string> SettingsOf(OAuthTestHost host, string? authorityHost = null, bool trustTestCa = true)
    {
        var settings = new List<string>
        {
            "--TokenStore:Kind=Embedded",
            $"--TokenStore:DataDirectory={host.DataDirectory}",
            $"--Broker:DataDirectory={host.DataDirectory}",
            $"--OAuth:AuthorityHost={authorityHost ?? IdentityPeer.Url}",
            $"--OAuth:TenantId={IdentityPeer.Tenant}",
            $"--OAuth:ClientId={host.Identity.ClientId}",
            $"--OAuth:ClientSecret={host.ClientSecret}",
            $"--OAuth:RedirectUri={host.BaseUrl}/api/consent/callback",
        };
        if (trustTestCa) settings.Add($"--OAuth:TrustedCaFile={CaFile}");
        return settings;
    }

    public static async Task<(int Exit, string Output, string Error)> RunAsync(Command command, IEnumerable<string> args, CancellationToken cancellationToken)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var exit = await new RootCommand { command }.Parse([.. args]).InvokeAsync(new InvocationConfiguration { Output = output, Error = error }, cancellationToken);
        return (exit, output.ToString(), error.ToString());
    }
}
