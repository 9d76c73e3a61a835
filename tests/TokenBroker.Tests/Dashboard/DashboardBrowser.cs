using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Playwright;
using TokenBroker.Testing;

namespace TokenBroker.Tests.Dashboard;

/// <summary>
/// Debian's chromium (/usr/bin/chromium, installed by infra/local/peers/browser.sh) driven by Playwright, with a fresh
/// profile each time. Playwright never downloads a browser here. The identity server's certificate is trusted by
/// its public key alone (--ignore-certificate-errors-spki-list), every other certificate is checked as usual.
/// Every console error and page error is collected: a test ends by asserting there were none.
/// </summary>
internal sealed class DashboardBrowser : IAsyncDisposable
{
    public const string ChromiumPath = "/usr/bin/chromium";
    private readonly IPlaywright _playwright;
    private readonly string _profile;

    private DashboardBrowser(IPlaywright playwright, IBrowserContext context, IPage page, string profile)
    {
        _playwright = playwright;
        Context = context;
        Page = page;
        _profile = profile;
        page.Console += (_, message) => { if (message.Type == "error") Problems.Add($"console: {message.Text} ({message.Location})"); };
        page.PageError += (_, error) => Problems.Add("page: " + error);
    }

    public IBrowserContext Context { get; }
    public IPage Page { get; }
    public List<string> Problems { get; } = [];

    public void AssertNoProblems() => Assert.True(Problems.Count == 0, "The browser reported:\n" + string.Join("\n", Problems));

    public static async Task<DashboardBrowser> StartAsync()
    {
        Assert.True(File.Exists(ChromiumPath), $"{ChromiumPath} is missing: run infra/local/peers/peers.sh install browser");
        Environment.SetEnvironmentVariable("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1");
        var playwright = await Playwright.CreateAsync();
        var profile = Directory.CreateTempSubdirectory("tokenbroker-chromium-").FullName;
        var context = await playwright.Chromium.LaunchPersistentContextAsync(profile, new BrowserTypeLaunchPersistentContextOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args =
            [
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--ignore-certificate-errors-spki-list=" + IdentityServerKeyPin(),
            ],
            ViewportSize = new ViewportSize { Width = 1280, Height = 900 },
            Timeout = 60_000,
        });
        context.SetDefaultTimeout(30_000);
        var page = context.Pages.Count > 0 ? context.Pages[0] : await context.NewPageAsync();
        return new DashboardBrowser(playwright, context, page, profile);
    }

    /// <summary>Opens the dashboard and signs in through its form with <paramref name="credential"/>.</summary>
    public async Task SignInAsync(Uri broker, string credential)
    {
        await Page.GotoAsync(new Uri(broker, "/api/dashboard").AbsoluteUri);
        await Page.GetByLabel("Client secret or master key").FillAsync(credential);
        await Page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Page.GetByRole(AriaRole.Heading, new() { Name = "Mailboxes" }).WaitForAsync();
    }

    /// <summary>The table row of one mailbox.</summary>
    public ILocator Row(string mailbox) => Page.Locator($"tr[data-mailbox=\"{mailbox}\"]");

    public async Task<string> BadgeAsync(string mailbox) => (await Row(mailbox).Locator(".badge").InnerTextAsync()).Trim();

    /// <summary>base64(SHA-256(SubjectPublicKeyInfo)) of the identity server's certificate: chromium's pin format.</summary>
    private static string IdentityServerKeyPin()
    {
        using var certificate = X509Certificate2.CreateFromPem(File.ReadAllText(PeersEnvironment.Get("PEERS_CERT_FILE")));
        return Convert.ToBase64String(SHA256.HashData(certificate.PublicKey.ExportSubjectPublicKeyInfo()));
    }

    public async ValueTask DisposeAsync()
    {
        await Context.CloseAsync();
        _playwright.Dispose();
        try { Directory.Delete(_profile, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
