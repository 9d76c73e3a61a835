namespace TokenBroker.Jobs.Events;

/// <summary>The "Events" section: where events are also POSTed besides the <c>broker-events</c> queue.</summary>
public sealed class EventsOptions
{
    public const string Section = "Events";

    /// <summary>When set, every event is POSTed here as JSON; unset means queue only.</summary>
    public string? WebhookUrl { get; set; }

    /// <summary>The Standard Webhooks signing secret ("whsec_&lt;base64&gt;", or any text used as UTF-8 bytes); required with a webhook.</summary>
    public string? WebhookSecret { get; set; }

    /// <summary>How long one webhook POST may take before it is given up (and logged).</summary>
    public TimeSpan WebhookTimeout { get; set; } = TimeSpan.FromSeconds(10);
}
