using System.Text.Json;
using TokenBroker.Callers;
using TokenBroker.Cli;
using TokenBroker.Store;
using TokenBroker.Tests.Callers;
using TokenBroker.Tests.Cli.Support;
using TokenBroker.Tests.Hosting.Support;
using TokenBroker.Tests.OAuth.Support;

namespace TokenBroker.Tests.Cli;

/// <summary>`tokenbroker import FILE --url URL`: a running broker imports the rows (POST /api/mailboxes/import), "admin" on each mailbox.</summary>
public sealed class RemoteImportTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private static string NewUser() => $"remote-import-{Guid.NewGuid():N}@{IdentityPeer.TenantDomain}";

    private static Task<(int Exit, string Output, string Error)> ImportAsync(OAuthTestHost host, object[] rows, string credential)
    {
        var file = Path.Combine(Directory.CreateTempSubdirectory("tokenbroker-import-").FullName, "tokens.json");
        File.WriteAllText(file, JsonSerializer.Serialize(rows));
        return LocalOAuthCli.RunAsync(ImportCommand.Create(), ["import", file, "--url", host.BaseUrl, "--credential", credential], Ct);
    }

    [Fact]
    public async Task The_running_broker_imports_the_rows_and_the_command_reports_each()
    {
        await using var host = await OAuthTestHost.StartAsync();
        var mailbox = NewUser();
        var token = await host.Identity.MintRefreshTokenAsync(mailbox);

        var (exit, output, error) = await ImportAsync(host, [new { address = mailbox, refresh_token = token, protocols = "imap" }], TestCredentials.MasterKey);

        Assert.True(exit == 0, output + error);
        Assert.Contains($"imported       {mailbox} (IMAP)", output);
        Assert.DoesNotContain(token[..16], output + error);
        Assert.DoesNotContain(host.Logs.Lines, line => line.Contains(token[..16], StringComparison.Ordinal));
        var saved = (await host.Registry.GetAsync(mailbox, Ct))!.Value;
        Assert.Equal(MailboxState.Connected, saved.State);
        Assert.Equal(MailProtocols.Imap, saved.Protocols);
    }

    [Fact]
    public async Task Rows_whose_mailbox_the_caller_may_not_administer_are_refused_without_redeeming_their_token()
    {
        await using var host = await OAuthTestHost.StartAsync();
        var (mine, theirs) = (NewUser(), NewUser());
        var secret = await CallerTesting.AddClientAsync(host.Get<IClientRegistry>(), "importer", mine, "admin");

        var (exit, output, error) = await ImportAsync(host,
        [
            new { address = mine, refresh_token = await host.Identity.MintRefreshTokenAsync(mine) },
            new { address = theirs, refresh_token = await host.Identity.MintRefreshTokenAsync(theirs) },
        ], secret);

        Assert.True(exit == 1, output + error);
        Assert.Contains($"imported       {mine}", output);
        Assert.Contains($"needs consent  {theirs}: Not allowed.", output);
        Assert.Null(await host.Registry.GetAsync(theirs, Ct));
        Assert.Equal(1, await host.Identity.TokenRequestCountAsync("refresh_token"));
    }
}
