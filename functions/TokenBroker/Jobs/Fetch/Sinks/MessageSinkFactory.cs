using System.Text;
using TokenBroker.Hosting;
using TokenBroker.Jobs.Mail;

namespace TokenBroker.Jobs.Fetch.Sinks;

/// <summary>Builds the sink a fetch request names; a sink that can never work here is a permanent refusal.</summary>
public sealed class MessageSinkFactory(
    IHttpClientFactory httpClients,
    IConfiguration configuration,
    WebhookHeaders webhookHeaders,
    FetchOptions options,
    HostingModeInfo? hostingMode = null)
{
    public const string HttpClientName = "TokenBroker.FetchWebhook";

    public IMessageSink Create(FetchSink sink) => sink.Type.ToLowerInvariant() switch
    {
        "webhook" => CreateWebhook(sink),
        "maildir" when hostingMode?.Mode == HostingMode.FunctionsWorker =>
            throw new MailRequestRejectedException("A maildir sink is only available in standalone mode; in Azure Functions use a webhook sink."),
        "maildir" => new MaildirSink(sink.Path ?? throw new MailRequestRejectedException("A maildir sink needs \"path\".")),
        _ => throw new MailRequestRejectedException($"Unknown sink type \"{sink.Type}\"; use \"webhook\" or \"maildir\"."),
    };

    private WebhookSink CreateWebhook(FetchSink sink)
    {
        if (!Uri.TryCreate(sink.Url, UriKind.Absolute, out var url) || (url.Scheme != Uri.UriSchemeHttps && !(url.Scheme == Uri.UriSchemeHttp && url.IsLoopback)))
            throw new MailRequestRejectedException($"A webhook sink needs an https url (http only for loopback); \"{sink.Url}\" is not one.");
        if (string.IsNullOrWhiteSpace(sink.SecretSetting))
            throw new MailRequestRejectedException("A webhook sink needs \"secretSetting\", the name of the setting holding its HMAC secret.");
        var secret = configuration[sink.SecretSetting];
        if (string.IsNullOrEmpty(secret))
            throw new MailRequestRejectedException($"The webhook secret setting '{sink.SecretSetting}' is not set; set it to the HMAC secret shared with the receiver.");
        return new WebhookSink(httpClients.CreateClient(HttpClientName), url, Encoding.UTF8.GetBytes(secret), webhookHeaders.For(url), options.WebhookTimeout);
    }
}
