using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using TokenBroker.Hosting;
using TokenBroker.Hosting.Functions;
using TokenBroker.OAuth;
using TokenBroker.Testing;
using TokenBroker.Tests.Hosting.Support;
using TokenBroker.Tests.OAuth.Support;

namespace TokenBroker.Tests.Jobs.Mail.Support;

/// <summary>
/// What an end-to-end mail test needs around the real broker: settings pointing at the peers (identity server, Dovecot
/// submission), the OAuth services, the consent routes, and a consent run the way a browser would do it.
/// </summary>
internal static class MailBrokerPeers
{
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Settings for a broker listening on <paramref name="port"/> with its data in <paramref name="dataDirectory"/>.</summary>
    public static Dictionary<string, string> Settings(int port, string dataDirectory, string clientId, int messagesPerMinute = 100_000) => new()
    {
        ["Broker:Urls"] = $"http://127.0.0.1:{port}",
        ["Broker:DataDirectory"] = dataDirectory,
        ["TokenStore:Kind"] = "Embedded",
        ["TokenStore:DataDirectory"] = dataDirectory,
        ["OAuth:AuthorityHost"] = IdentityPeer.Url,
        ["OAuth:TenantId"] = IdentityPeer.Tenant,
        ["OAuth:ClientId"] = clientId,
        ["OAuth:ClientSecret"] = "test-secret-" + clientId,
        ["OAuth:RedirectUri"] = $"http://127.0.0.1:{port}{OAuthOptions.CallbackPath}",
        ["Mail:Smtp"] = MailJobsHarness.SubmissionUrl,
        ["Mail:ExtraTrustedCaFile"] = PeersEnvironment.Get("PEERS_CA_FILE"),
        ["Mail:Imap"] = $"imaps://{PeersEnvironment.Get("MAIL_HOST")}:{PeersEnvironment.Get("IMAPS_PORT")}",
        ["Mail:Governor:MessagesPerMinute"] = messagesPerMinute.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Queues:MaxPollingInterval"] = "00:00:00.250",
    };

    /// <summary>A fresh data folder (named for <paramref name="purpose"/>) and the settings of a broker on a free port that uses it.</summary>
    public static (Dictionary<string, string> Settings, string DataDirectory) NewBroker(string purpose)
    {
        var data = Directory.CreateTempSubdirectory($"tokenbroker-{purpose}-").FullName;
        return (Settings(FreePort(), data, Guid.NewGuid().ToString()), data);
    }

    /// <summary>The broker in this process, standalone, trusting the identity server; <paramref name="table"/> null: the product table.</summary>
    /// <summary>Queues and ledger on "sqlite" (the broker's data folder) or "azure" (Azure Storage queues and blobs on Azurite).</summary>
    public static void UseQueues(Dictionary<string, string> settings, string queues)
    {
        if (queues != "azure") return;
        settings["Queues:Transport"] = "azure";
        settings["AzureWebJobsStorage"] = PeersEnvironment.Get("AZURITE_CONNECTION_STRING");
        settings["Queues:MaxPollingInterval"] = "00:00:00.200";
    }

    public static Task<RunningBroker> StartAsync(Dictionary<string, string> settings, string dataDirectory, FunctionCatalog? table = null) =>
        RunningBroker.StartAsync(HostingMode.Standalone, table ?? TableWithConsent(), services => AddOAuth(services, settings), settings, dataDirectory);

    /// <summary>The product table (it maps the consent routes and the mail functions).</summary>
    public static FunctionCatalog TableWithConsent() => BrokerFunctions.Catalog;

    /// <summary>The broker's identity-provider client must trust the test CA (the OAuth services come with the app).</summary>
    public static void AddOAuth(IServiceCollection services, IDictionary<string, string> settings) =>
        services.AddSingleton(new IdentityProviderHttpHandler(IdentityPeer.CreateTrustingHandler()));

    /// <summary>An admin's invitation → consent start on the broker → the identity server signs the user in → the broker's callback.</summary>
    public static async Task ConsentAsync(Uri brokerUrl, string mailbox, CancellationToken cancellationToken, string protocols = "smtp")
    {
        // A browser that does not follow redirects by itself: each hop is the test's own request.
        using var broker = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false }) { BaseAddress = brokerUrl, Timeout = TimeSpan.FromSeconds(30) };
        var invitation = await TestCredentials.InviteAsync(brokerUrl, mailbox, protocols, cancellationToken);
        using var start = await broker.GetAsync(invitation.PathAndQuery, cancellationToken);
        Assert.True(start.StatusCode == HttpStatusCode.Redirect, $"consent start answered {(int)start.StatusCode}: {await start.Content.ReadAsStringAsync(cancellationToken)}");
        using var identity = new HttpClient(IdentityPeer.CreateTrustingHandler());
        using var authorize = await identity.GetAsync(start.Headers.Location!, cancellationToken);
        Assert.Equal(HttpStatusCode.Found, authorize.StatusCode);
        using var callback = await broker.GetAsync(authorize.Headers.Location!.PathAndQuery, cancellationToken);
        Assert.True(callback.StatusCode == HttpStatusCode.OK, await callback.Content.ReadAsStringAsync(cancellationToken));
    }

    /// <summary>Message-IDs of the delivered messages, unfolded.</summary>
    public static List<string> MessageIds(Maildir maildir) =>
        maildir.List().Select(m => m.Header("Message-ID")?.Trim() ?? "(none)").ToList();
}
