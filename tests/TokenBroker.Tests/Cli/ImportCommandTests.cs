using System.Text.Json;
using TokenBroker.Cli;
using TokenBroker.OAuth.Import;
using TokenBroker.Store;
using TokenBroker.Tests.Cli.Support;
using TokenBroker.Tests.OAuth.Support;

namespace TokenBroker.Tests.Cli;

/// <summary>
/// `tokenbroker import FILE`: refresh tokens another tool holds, redeemed through MSAL's refresh-token migration API
/// against the identity server's refresh_token grant, checked like a consent, stored, and reported per mailbox.
/// </summary>
public sealed class ImportCommandTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private static string NewUser() => $"import-{Guid.NewGuid():N}@{IdentityPeer.TenantDomain}";

    private static Task<(int Exit, string Output, string Error)> ImportAsync(OAuthTestHost host, string file, params string[] extra) =>
        LocalOAuthCli.RunAsync(ImportCommand.Create(), ["import", file, .. extra, .. LocalOAuthCli.SettingsOf(host)], Ct);

    private static string WriteFile(OAuthTestHost host, string name, string content)
    {
        var path = Path.Combine(Directory.CreateTempSubdirectory("tokenbroker-import-").FullName, name);
        File.WriteAllText(path, content);
        return path;
    }

    private static string Json(params object[] rows) => JsonSerializer.Serialize(rows);

    [Fact]
    public async Task Importing_a_json_file_connects_every_mailbox_and_reports_each_imported()
    {
        await using var host = await OAuthTestHost.StartAsync();
        var (first, second) = (NewUser(), NewUser());
        var firstToken = await host.Identity.MintRefreshTokenAsync(first);
        var secondToken = await host.Identity.MintRefreshTokenAsync(second);
        var file = WriteFile(host, "tokens.json", Json(
            new { address = first, refresh_token = firstToken, client_id = host.Identity.ClientId, tenant = IdentityPeer.Tenant },
            new { address = second, refresh_token = secondToken, client_id = host.Identity.ClientId, tenant = IdentityPeer.Tenant, protocols = "imap,pop" }));

        var (exit, output, error) = await ImportAsync(host, file);

        Assert.True(exit == 0, output + error);
        Assert.Contains($"imported       {first} (IMAP, SMTP)", output);
        Assert.Contains($"imported       {second} (IMAP, POP)", output);
        Assert.Contains("2 of 2 mailboxes imported", output);
        var saved = (await host.Registry.GetAsync(second, Ct))!.Value;
        Assert.Equal(MailboxState.Connected, saved.State);
        Assert.Equal(MailProtocols.Imap | MailProtocols.Pop3, saved.Protocols);
        Assert.Equal(IdentityIds.HomeAccountIdOf(second), saved.HomeAccountId);
        Assert.Equal(2, await host.Identity.TokenRequestCountAsync("refresh_token"));
    }

    [Fact]
    public async Task An_imported_confidential_clients_refresh_token_is_recorded_as_confidential()
    {
        await using var host = await OAuthTestHost.StartAsync();
        var mailbox = NewUser();
        var file = WriteFile(host, "tokens.json", Json(
            new { address = mailbox, refresh_token = await host.Identity.MintRefreshTokenAsync(mailbox), client_id = host.Identity.ClientId, tenant = IdentityPeer.Tenant }));

        var (exit, output, error) = await ImportAsync(host, file);

        Assert.True(exit == 0, output + error);
        Assert.Equal(MailboxClientKind.Confidential, (await host.Registry.GetAsync(mailbox, Ct))!.Value.ClientKind);
        Assert.Equal(1, await host.Identity.TokenRequestCountAsync("refresh_token"));
    }

    [Fact]
    public async Task An_imported_public_clients_refresh_token_is_retried_as_public_after_AADSTS700025_and_kept_alive_as_public()
    {
        await using var host = await OAuthTestHost.StartAsync();
        var mailbox = NewUser();
        var file = WriteFile(host, "tokens.json", Json(
            new { address = mailbox, refresh_token = await host.Identity.MintRefreshTokenAsync(mailbox, publicClient: true), client_id = host.Identity.ClientId, tenant = IdentityPeer.Tenant }));

        var (exit, output, error) = await ImportAsync(host, file);

        Assert.True(exit == 0, output + error);
        Assert.Contains($"imported       {mailbox}", output);
        var imported = (await host.Registry.GetAsync(mailbox, Ct))!;
        Assert.Equal(MailboxClientKind.Public, imported.Value.ClientKind);
        var token = await host.Tokens.KeepAliveAsync(imported, Ct);
        Assert.Equal(mailbox, token.User);
        Assert.Equal(MailboxState.Connected, (await host.Registry.GetAsync(mailbox, Ct))!.Value.State);
    }

    [Fact]
    public async Task The_refresh_tokens_of_the_file_never_appear_in_the_output()
    {
        await using var host = await OAuthTestHost.StartAsync();
        var mailbox = NewUser();
        var token = await host.Identity.MintRefreshTokenAsync(mailbox);
        var file = WriteFile(host, "tokens.json", Json(
            new { address = mailbox, refresh_token = token, client_id = host.Identity.ClientId, tenant = IdentityPeer.Tenant },
            new { address = NewUser(), refresh_token = "unknown-" + token, client_id = host.Identity.ClientId }));

        var (_, output, error) = await ImportAsync(host, file);

        Assert.DoesNotContain(token[..16], output + error);
    }

    [Fact]
    public async Task A_csv_file_with_a_header_row_is_imported_with_its_protocols()
    {
        await using var host = await OAuthTestHost.StartAsync();
        var mailbox = NewUser();
        var token = await host.Identity.MintRefreshTokenAsync(mailbox);
        var file = WriteFile(host, "tokens.csv",
            $"address,refresh_token,client_id,tenant,protocols\r\n{mailbox},{token},{host.Identity.ClientId},{IdentityPeer.TenantDomain},\"pop,smtp\"\r\n");

        var (exit, output, error) = await ImportAsync(host, file);

        Assert.True(exit == 0, output + error);
        Assert.Equal(MailProtocols.Pop3 | MailProtocols.Smtp, (await host.Registry.GetAsync(mailbox, Ct))!.Value.Protocols);
    }

    [Fact]
    public async Task Rows_that_cannot_be_imported_are_reported_as_needing_consent_with_the_reason_and_store_nothing()
    {
        await using var host = await OAuthTestHost.StartAsync();
        var (unknown, otherApp) = (NewUser(), NewUser());
        var file = WriteFile(host, "tokens.json", Json(
            new { address = unknown, refresh_token = "a-token-nobody-issued", client_id = host.Identity.ClientId },
            new { address = otherApp, refresh_token = await host.Identity.MintRefreshTokenAsync(otherApp), client_id = "11111111-2222-3333-4444-555555555555" },
            new { address = "not an address", refresh_token = "x" }));

        var (exit, output, error) = await ImportAsync(host, file);

        Assert.True(exit == 1, output + error);
        Assert.Contains($"needs consent  {unknown}: The identity provider refused the refresh token.", output);
        Assert.Contains($"needs consent  {otherApp}: The refresh token belongs to another application.", output);
        Assert.Contains("line 3: 'not an address' is not a mailbox address", output);
        Assert.Contains("0 of 3 mailboxes imported; 3 need consent.", output);
        Assert.Null(await host.Registry.GetAsync(unknown, Ct));
        Assert.Null(await host.Registry.GetAsync(otherApp, Ct));
    }

    [Fact]
    public async Task A_token_of_another_account_than_the_shared_mailboxs_delegate_is_refused_by_the_consent_check()
    {
        await using var host = await OAuthTestHost.StartAsync();
        var (shared, delegateUser, someoneElse) = (NewUser(), NewUser(), NewUser());
        var file = WriteFile(host, "tokens.json", Json(new
        {
            address = shared, refresh_token = await host.Identity.MintRefreshTokenAsync(someoneElse), client_id = host.Identity.ClientId, @delegate = delegateUser,
        }));

        var (exit, output, _) = await ImportAsync(host, file);

        Assert.Equal(1, exit);
        Assert.Contains($"needs consent  {shared}: Signed in with the wrong account.", output);
        Assert.Null(await host.Registry.GetAsync(shared, Ct));
    }

    [Fact]
    public async Task A_file_with_more_rows_than_allowed_is_refused_before_any_token_is_redeemed()
    {
        await using var host = await OAuthTestHost.StartAsync();
        var rows = Enumerable.Range(0, ImportFile.MaxRows + 1).Select(i => new { address = $"u{i}@contoso.com", refresh_token = "t" }).ToArray();
        var file = WriteFile(host, "tokens.json", JsonSerializer.Serialize(rows));

        var (exit, _, error) = await ImportAsync(host, file);

        Assert.Equal(2, exit);
        Assert.Contains($"at most {ImportFile.MaxRows:N0} are imported at once", error);
        Assert.Equal(0, await host.Identity.TokenRequestCountAsync("refresh_token"));
    }
}
