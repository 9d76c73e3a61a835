using Microsoft.Extensions.Configuration;
using TokenBroker.Hosting;
using TokenBroker.Jobs.Fetch;
using TokenBroker.Jobs.Fetch.Sinks;
using TokenBroker.Jobs.Mail;

namespace TokenBroker.Tests.Jobs.Fetch;

public sealed class SinkRulesTests
{
    private static MessageSinkFactory Factory(HostingMode mode)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Hook:Secret"] = "s" }).Build();
        return new MessageSinkFactory(new NoHttpClients(), configuration, new WebhookHeaders(configuration), new FetchOptions(), new HostingModeInfo(mode));
    }

    [Fact]
    public void A_maildir_sink_is_refused_in_custom_handler_mode()
    {
        var refused = Assert.Throws<MailRequestRejectedException>(() =>
            Factory(HostingMode.FunctionsWorker).Create(new FetchSink { Type = "maildir", Path = Path.GetTempPath() }));
        Assert.Contains("standalone", refused.Reason);
    }

    [Fact]
    public void A_plain_http_webhook_outside_loopback_is_refused()
    {
        var refused = Assert.Throws<MailRequestRejectedException>(() =>
            Factory(HostingMode.Standalone).Create(new FetchSink { Type = "webhook", Url = "http://helpdesk.example.com/api/tickets.email", SecretSetting = "Hook:Secret" }));
        Assert.Contains("https", refused.Reason);
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
