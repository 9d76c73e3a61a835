using TokenBroker.Hosting;
using TokenBroker.Jobs.Mail;

namespace TokenBroker.Jobs.Fetch.Sinks;

/// <summary>Builds the configured sink a fetch request names; a sink that can never work here is a permanent refusal.</summary>
public sealed class MessageSinkFactory(
    IHttpClientFactory httpClients,
    SinkCatalog catalog,
    FetchOptions options,
    TimeProvider timeProvider,
    HostingModeInfo? hostingMode = null)
{
    public const string HttpClientName = "TokenBroker.FetchWebhook";

    public IMessageSink Create(FetchSink sink)
    {
        if (catalog.TryGetWebhook(sink.Name, out var webhook))
        {
            if (sink.Folder is not null)
                throw new MailRequestRejectedException($"The sink \"{sink.Name}\" is a webhook; \"folder\" applies only to maildir sinks.");
            return new WebhookSink(httpClients.CreateClient(HttpClientName), webhook, options.WebhookTimeout, timeProvider);
        }
        if (catalog.TryGetMaildir(sink.Name, out var maildir))
        {
            if (hostingMode?.Mode == HostingMode.FunctionsWorker)
                throw new MailRequestRejectedException("A maildir sink is only available in standalone mode; in Azure Functions use a webhook sink.");
            return new MaildirSink(maildir, sink.Folder);
        }
        throw new MailRequestRejectedException($"No sink named \"{sink.Name}\" is configured (Sinks:Webhooks:<name> or Sinks:Maildirs:<name>).");
    }
}
