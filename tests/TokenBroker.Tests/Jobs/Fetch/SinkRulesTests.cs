using Microsoft.Extensions.Configuration;
using TokenBroker.Hosting;
using TokenBroker.Jobs.Fetch;
using TokenBroker.Jobs.Fetch.Sinks;
using TokenBroker.Jobs.Mail;

namespace TokenBroker.Tests.Jobs.Fetch;

public sealed class SinkRulesTests
{
    private const string Secret = "a-secret-of-enough-length";

    private static IConfiguration Settings(params (string Key, string Value)[] values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value))).Build();

    private static MessageSinkFactory Factory(HostingMode mode, IConfiguration configuration) =>
        new(new NoHttpClients(), SinkCatalog.Load(configuration), new FetchOptions(), TimeProvider.System, new HostingModeInfo(mode));

    [Fact]
    public void A_maildir_sink_is_refused_in_functions_worker_mode()
    {
        var configuration = Settings(("Sinks:Maildirs:archive:Root", Path.GetTempPath()));
        var refused = Assert.Throws<MailRequestRejectedException>(() =>
            Factory(HostingMode.FunctionsWorker, configuration).Create(new FetchSink { Name = "archive" }));
        Assert.Contains("standalone", refused.Reason);
    }

    [Fact]
    public void A_plain_http_webhook_outside_loopback_is_a_configuration_error_naming_the_setting()
    {
        var invalid = Assert.Throws<InvalidOperationException>(() => SinkCatalog.Load(Settings(
            ("Sinks:Webhooks:helpdesk:Url", "http://helpdesk.example.com/api/tickets.email"), ("Sinks:Webhooks:helpdesk:Secret", Secret))));
        Assert.Contains("'Sinks:Webhooks:helpdesk:Url'", invalid.Message);
        Assert.Contains("https", invalid.Message);
    }

    [Fact]
    public void A_webhook_sink_without_a_secret_is_a_configuration_error_naming_the_setting()
    {
        var invalid = Assert.Throws<InvalidOperationException>(() => SinkCatalog.Load(Settings(("Sinks:Webhooks:helpdesk:Url", "https://helpdesk.example.com/pipe"))));
        Assert.Contains("'Sinks:Webhooks:helpdesk:Secret' is not set", invalid.Message);
    }

    [Fact]
    public void A_maildir_root_that_is_not_absolute_is_a_configuration_error()
    {
        var invalid = Assert.Throws<InvalidOperationException>(() => SinkCatalog.Load(Settings(("Sinks:Maildirs:archive:Root", "mail/archive"))));
        Assert.Contains("'Sinks:Maildirs:archive:Root'", invalid.Message);
    }

    [Fact]
    public void The_former_url_prefix_header_setting_is_a_configuration_error_pointing_to_named_sinks()
    {
        var invalid = Assert.Throws<InvalidOperationException>(() => SinkCatalog.Load(Settings(
            ("Mail:Webhooks:osticket:Url", "https://helpdesk.example.com/"), ("Mail:Webhooks:osticket:Headers:X-API-Key", "k"))));
        Assert.Contains("Sinks:Webhooks:<name>", invalid.Message);
    }

    [Fact]
    public void A_static_header_that_would_replace_the_signature_is_a_configuration_error()
    {
        var invalid = Assert.Throws<InvalidOperationException>(() => SinkCatalog.Load(Settings(
            ("Sinks:Webhooks:helpdesk:Url", "https://helpdesk.example.com/pipe"), ("Sinks:Webhooks:helpdesk:Secret", Secret),
            ("Sinks:Webhooks:helpdesk:Headers:webhook-signature", "v1,forged"))));
        Assert.Contains("Headers:webhook-signature", invalid.Message);
    }

    [Theory]
    [InlineData("../elsewhere")]
    [InlineData("support/../../elsewhere")]
    [InlineData("/etc")]
    [InlineData("./support")]
    [InlineData("support//2026")]
    [InlineData("back\\slash")]
    public void A_maildir_folder_that_could_leave_the_root_is_refused(string folder)
    {
        var root = Directory.CreateTempSubdirectory("tokenbroker-sink-root-").FullName;
        try
        {
            Assert.Throws<MailRequestRejectedException>(() => new MaildirSink(new MaildirSinkSettings("archive", root), folder));
            Assert.Empty(Directory.EnumerateFileSystemEntries(root));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public void A_symbolic_link_beneath_the_maildir_root_is_refused_so_deliveries_cannot_escape_through_it()
    {
        var root = Directory.CreateTempSubdirectory("tokenbroker-sink-root-").FullName;
        var outside = Directory.CreateTempSubdirectory("tokenbroker-sink-outside-").FullName;
        try
        {
            Directory.CreateSymbolicLink(Path.Combine(root, "support"), outside);

            var refused = Assert.Throws<MailRequestRejectedException>(() => new MaildirSink(new MaildirSinkSettings("archive", root), "support/2026"));

            Assert.Contains("symbolic link", refused.Reason);
            Assert.Empty(Directory.EnumerateFileSystemEntries(outside));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
            Directory.Delete(outside, recursive: true);
        }
    }

    [Fact]
    public void A_symbolic_link_in_place_of_new_is_refused()
    {
        var root = Directory.CreateTempSubdirectory("tokenbroker-sink-root-").FullName;
        var outside = Directory.CreateTempSubdirectory("tokenbroker-sink-outside-").FullName;
        try
        {
            Directory.CreateSymbolicLink(Path.Combine(root, "new"), outside);

            Assert.Throws<MailRequestRejectedException>(() => new MaildirSink(new MaildirSinkSettings("archive", root)));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
            Directory.Delete(outside, recursive: true);
        }
    }

    [Fact]
    public async Task Maildir_folders_are_created_0700_and_messages_0600()
    {
        var parent = Directory.CreateTempSubdirectory("tokenbroker-sink-modes-").FullName;
        var root = Path.Combine(parent, "root");
        try
        {
            var sink = new MaildirSink(new MaildirSinkSettings("archive", root), "support");
            await sink.DeliverAsync(new SinkMessage("a@example.com", "INBOX", "1", "0123abcd", new MemoryStream("Subject: x\r\n\r\nbody\r\n"u8.ToArray())),
                TestContext.Current.CancellationToken);

            const UnixFileMode owner = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
            Assert.Equal(owner, File.GetUnixFileMode(root));
            Assert.Equal(owner, File.GetUnixFileMode(Path.Combine(root, "support")));
            Assert.Equal(owner, File.GetUnixFileMode(Path.Combine(root, "support", "new")));
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(root, "support", "new", "0123abcd")));
        }
        finally
        {
            Directory.Delete(parent, recursive: true);
        }
    }

    [Fact]
    public void Delivery_ids_are_stable_and_change_with_uidvalidity()
    {
        var first = DeliveryIds.ForImap("A@Example.com", "INBOX", 7, 42);
        Assert.Equal(first, DeliveryIds.ForImap("a@example.com", "INBOX", 7, 42));
        Assert.NotEqual(first, DeliveryIds.ForImap("a@example.com", "INBOX", 8, 42));
    }

    private sealed class NoHttpClients : IHttpClientFactory
    {
        public HttpClient CreateClient(string name) => new();
    }
}
