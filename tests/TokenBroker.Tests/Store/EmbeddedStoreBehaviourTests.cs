using System.Text;
using TokenBroker.Store.Embedded;

namespace TokenBroker.Tests.Store;

/// <summary>What only the embedded store does: encryption at rest and a data folder that survives restarts.</summary>
public sealed class EmbeddedStoreBehaviourTests : IAsyncLifetime
{
    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), "tokenbroker-store-" + Guid.NewGuid().ToString("N"));

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private EmbeddedTokenStoreOptions Options => new() { DataDirectory = _dataDirectory };

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public ValueTask DisposeAsync()
    {
        if (Directory.Exists(_dataDirectory)) Directory.Delete(_dataDirectory, recursive: true);
        return ValueTask.CompletedTask;
    }

    [Fact]
    public async Task Database_files_hold_no_token_verifier_or_key_in_clear()
    {
        const string verifier = "pkce-verifier-Zx81kQmN0pLr5tVw";
        const string refreshToken = "0.AXEA-refresh-token-Qw3rTy7Ui9oP";
        byte[] brokerKey;
        await using (var store = new EmbeddedTokenStore(Options))
        {
            await store.Mailboxes.SaveAsync(TestMailboxes.AwaitingConsent("alice@contoso.example", verifier), null, Ct);
            await store.TokenCaches.WriteAsync("oid.tid", Encoding.UTF8.GetBytes($"{{\"RefreshToken\":{{\"secret\":\"{refreshToken}\"}}}}"), null, cancellationToken: Ct);
            brokerKey = await store.Secrets.GetOrCreateKeyAsync("consent-state", 32, Ct);
        }

        var files = Directory.GetFiles(_dataDirectory, Options.DatabaseFileName + "*");
        Assert.NotEmpty(files);
        foreach (var file in files)
        {
            var bytes = await File.ReadAllBytesAsync(file, Ct);
            Assert.Equal(-1, bytes.AsSpan().IndexOf(Encoding.UTF8.GetBytes(verifier)));
            Assert.Equal(-1, bytes.AsSpan().IndexOf(Encoding.UTF8.GetBytes(refreshToken)));
            Assert.Equal(-1, bytes.AsSpan().IndexOf(Encoding.UTF8.GetBytes("RefreshToken")));
            Assert.Equal(-1, bytes.AsSpan().IndexOf(brokerKey));
            Assert.Equal(-1, bytes.AsSpan().IndexOf(Encoding.UTF8.GetBytes(Convert.ToBase64String(brokerKey))));
        }
    }

    [Fact]
    public async Task Data_survives_reopening_with_the_key_ring_from_the_data_folder()
    {
        string version;
        byte[] key;
        await using (var store = new EmbeddedTokenStore(Options))
        {
            version = (await store.Mailboxes.SaveAsync(TestMailboxes.AwaitingConsent("alice@contoso.example", "verifier-1"), null, Ct)).Version;
            key = await store.Secrets.GetOrCreateKeyAsync("consent-state", 32, Ct);
        }

        await using var reopened = new EmbeddedTokenStore(Options);

        var mailbox = await reopened.Mailboxes.GetAsync("alice@contoso.example", Ct);
        Assert.Equal(version, mailbox!.Version);
        Assert.Equal("verifier-1", mailbox.Value.PendingConsent!.CodeVerifier);
        Assert.Equal(key, await reopened.Secrets.GetOrCreateKeyAsync("consent-state", 32, Ct));
        Assert.NotEmpty(Directory.GetFiles(Path.Combine(_dataDirectory, Options.KeysDirectoryName), "key-*.xml"));
    }

    [Fact]
    public async Task Without_its_key_ring_the_store_says_it_cannot_decrypt()
    {
        await using (var store = new EmbeddedTokenStore(Options))
            await store.Mailboxes.SaveAsync(TestMailboxes.Connected(), null, Ct);
        Directory.Delete(Path.Combine(_dataDirectory, Options.KeysDirectoryName), recursive: true);

        await using var reopened = new EmbeddedTokenStore(Options);

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => reopened.Mailboxes.GetAsync("alice@contoso.example", Ct));
        Assert.Contains("key ring", error.Message);
    }

    [Fact]
    public async Task Data_folder_is_private_to_its_owner()
    {
        if (OperatingSystem.IsWindows()) Assert.Skip("Unix file modes only.");
        else
        {
            await using var store = new EmbeddedTokenStore(Options);

            var mode = File.GetUnixFileMode(_dataDirectory);

            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, mode);
        }
    }
}
