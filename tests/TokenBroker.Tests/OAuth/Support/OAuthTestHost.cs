using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using TokenBroker.Callers;
using TokenBroker.Functions;
using TokenBroker.Hosting.Configuration;
using TokenBroker.Hosting.Functions;
using TokenBroker.Hosting.Standalone;
using TokenBroker.Tests.Hosting.Support;
using TokenBroker.OAuth;
using TokenBroker.Store;
using TokenBroker.Testing;
using TokenBroker.Tests.Store.KeyVaultDouble;

namespace TokenBroker.Tests.OAuth.Support;

public enum TestStore
{
    Embedded,
    KeyVault,

    /// <summary>Key Vault with mailbox locks as blob leases on Azurite (as on Azure, where the Functions storage account is there).</summary>
    KeyVaultWithLocks,
}

/// <summary>
/// The broker's OAuth endpoints hosted the way the function table will map them, on Kestrel at 127.0.0.1:0,
/// against the real local identity server over HTTPS and a real store. One client id per host keeps the
/// identity server's counters, failures and lifetimes of one test apart from the others.
/// </summary>
public sealed class OAuthTestHost : IAsyncDisposable
{
    private readonly string _dataDirectory;

    private OAuthTestHost(WebApplication app, string dataDirectory, KeyVaultDoubleServer? vault, RecordingHandler recorder,
        CollectingLoggerProvider logs, ManualTimeProvider clock, IdentityPeer identity, string clientSecret, string adminKey)
    {
        App = app;
        _dataDirectory = dataDirectory;
        Vault = vault;
        Recorder = recorder;
        Logs = logs;
        Clock = clock;
        Identity = identity;
        ClientSecret = clientSecret;
        AdminKey = adminKey;
        BaseUrl = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single().TrimEnd('/');
        Browser = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = new Uri(BaseUrl), Timeout = TimeSpan.FromSeconds(30) };
        IdentityBrowser = new HttpClient(IdentityPeer.CreateTrustingHandler()) { Timeout = TimeSpan.FromSeconds(30) };
        Admin = TestCredentials.Authorized(new HttpClient { BaseAddress = new Uri(BaseUrl), Timeout = TimeSpan.FromSeconds(30) });
    }

    public WebApplication App { get; }

    /// <summary>The embedded store's folder (also what a CLI command on the broker's machine opens).</summary>
    public string DataDirectory => _dataDirectory;

    /// <summary>The Key Vault double when the host runs on the Key Vault store; null on the embedded store.</summary>
    public KeyVaultDoubleServer? Vault { get; }
    public string BaseUrl { get; }
    /// <summary>A browser: no credential, redirects not followed.</summary>
    public HttpClient Browser { get; }

    /// <summary>An API caller holding the master key.</summary>
    public HttpClient Admin { get; }
    public HttpClient IdentityBrowser { get; }
    public RecordingHandler Recorder { get; }
    public CollectingLoggerProvider Logs { get; }
    public ManualTimeProvider Clock { get; }
    public IdentityPeer Identity { get; }
    public string ClientSecret { get; }
    public string AdminKey { get; }
    public string Tenant => IdentityPeer.Tenant;

    public IMailboxRegistry Registry => App.Services.GetRequiredService<IMailboxRegistry>();
    public ITokenCacheStore TokenCaches => App.Services.GetRequiredService<ITokenCacheStore>();
    public IMailboxTokenProvider Tokens => App.Services.GetRequiredService<IMailboxTokenProvider>();
    public T Get<T>() where T : notnull => App.Services.GetRequiredService<T>();

    public static async Task<OAuthTestHost> StartAsync(TestStore store = TestStore.Embedded, Action<IServiceCollection>? configureServices = null,
        IDictionary<string, string?>? settings = null)
    {
        var clientId = Guid.NewGuid().ToString();
        var clientSecret = "test-secret-" + Guid.NewGuid().ToString("N");
        var adminKey = TestCredentials.MasterKey;
        var dataDirectory = Path.Combine(Path.GetTempPath(), "tokenbroker-oauth-tests", clientId);
        var recorder = new RecordingHandler(IdentityPeer.CreateTrustingHandler());
        var logs = new CollectingLoggerProvider();
        var clock = new ManualTimeProvider(DateTimeOffset.UtcNow);

        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders().AddProvider(logs).SetMinimumLevel(LogLevel.Trace);
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["OAuth:AuthorityHost"] = IdentityPeer.Url,
            ["OAuth:TenantId"] = IdentityPeer.Tenant,
            ["OAuth:ClientId"] = clientId,
            ["OAuth:ClientSecret"] = clientSecret,
            ["Broker:AdminKey"] = adminKey,
            ["TokenStore:DataDirectory"] = dataDirectory,
            // Everything at Trace, ASP.NET Core's request logs included: the log-scan test wants the worst case.
            ["Logging:LogLevel:Default"] = "Trace",
            ["Logging:LogLevel:Microsoft.AspNetCore"] = "Trace",
        });
        if (settings is not null) builder.Configuration.AddInMemoryCollection(settings);
        builder.Services.AddSingleton<TimeProvider>(clock);
        builder.Services.AddSingleton(new IdentityProviderHttpHandler(recorder));
        KeyVaultDoubleServer? vault = null;
        if (store == TestStore.Embedded)
            builder.Services.AddEmbeddedTokenStore(builder.Configuration);
        else
            vault = await KeyVaultTestStore.RegisterAsync(builder.Services, withLocks: store == TestStore.KeyVaultWithLocks);
        builder.Services.AddOptions<BrokerOptions>().BindConfiguration(BrokerOptions.Section);
        builder.Services.AddCallers(builder.Configuration);
        builder.Services.AddOAuth(builder.Configuration);
        configureServices?.Invoke(builder.Services);

        WebApplication? started = null;
        // The redirect URI is this host's own callback, known once Kestrel has its port.
        builder.Services.PostConfigure<OAuthOptions>(o => o.RedirectUri = BaseUrlOf(started!) + OAuthOptions.CallbackPath);

        var app = builder.Build();
        app.MapHttpFunctions(OAuthFunctions);
        await app.StartAsync();
        started = app;
        return new OAuthTestHost(app, dataDirectory, vault, recorder, logs, clock, new IdentityPeer(clientId), clientSecret, adminKey);
    }

    /// <summary>The OAuth functions of the product, mapped as the standalone host maps them.</summary>
    private static readonly FunctionCatalog OAuthFunctions = FunctionCatalog.ForTypes(
    [
        typeof(ConsentStartFunction), typeof(ConsentAdminFunction), typeof(ConsentCallbackFunction),
        typeof(MailboxTokenFunction), typeof(RegisterAppOnlyMailboxFunction), typeof(CreateConsentInvitationFunction),
        typeof(DeviceConsentStartFunction), typeof(DeviceConsentPollFunction), typeof(ImportMailboxesFunction),
    ]);

    private static string BaseUrlOf(WebApplication app) =>
        app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single().TrimEnd('/');

    /// <summary>What a browser does: consent start → identity server's authorize (which signs in login_hint without UI) → the callback address.</summary>
    public async Task<Uri> SignInAsync(string mailbox, string protocols = "imap,smtp", string? delegateAddress = null, string? signInAs = null)
    {
        var authorize = await StartConsentAsync(mailbox, protocols, delegateAddress);
        if (signInAs is not null)
            authorize = ReplaceQuery(authorize, "login_hint", signInAs);
        using var response = await IdentityBrowser.GetAsync(authorize);
        Assert.Equal(HttpStatusCode.Found, response.StatusCode);
        var callback = response.Headers.Location!;
        Assert.StartsWith(BaseUrl + OAuthOptions.CallbackPath, callback.AbsoluteUri);
        return callback;
    }

    /// <summary>An admin invites (POST /api/consent/invitations with the master key); the browser opens the invitation.</summary>
    public async Task<Uri> StartConsentAsync(string mailbox, string protocols = "imap,smtp", string? delegateAddress = null, bool replaceAccount = false)
    {
        var invitation = await InviteAsync(mailbox, protocols, delegateAddress, replaceAccount);
        using var response = await Browser.GetAsync(invitation);
        Assert.True(response.StatusCode == HttpStatusCode.Redirect, $"consent start answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        return response.Headers.Location!;
    }

    public Task<Uri> InviteAsync(string mailbox, string protocols = "imap,smtp", string? delegateAddress = null, bool replaceAccount = false) =>
        TestCredentials.InviteAsync(new Uri(BaseUrl), mailbox, protocols, TestContext.Current.CancellationToken, delegateAddress, replaceAccount);

    public async Task<(HttpStatusCode Status, string Body)> GetPageAsync(Uri url)
    {
        using var response = await Browser.GetAsync(url);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    public async Task<(HttpStatusCode Status, string Body)> CompleteAsync(Uri callback) => await GetPageAsync(callback);

    public static Uri ReplaceQuery(Uri url, string name, string value)
    {
        var query = System.Web.HttpUtility.ParseQueryString(url.Query);
        query[name] = value;
        return new UriBuilder(url) { Query = query.ToString() }.Uri;
    }

    public async ValueTask DisposeAsync()
    {
        Browser.Dispose();
        Admin.Dispose();
        IdentityBrowser.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
        if (Vault is not null) await Vault.DisposeAsync();
        try { Directory.Delete(_dataDirectory, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
