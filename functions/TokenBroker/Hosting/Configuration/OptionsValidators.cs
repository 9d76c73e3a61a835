using Microsoft.Extensions.Options;

namespace TokenBroker.Hosting.Configuration;

/// <summary>Each failure is one sentence naming the setting, so a misconfigured start says exactly what to fix.</summary>
internal sealed class QueueHostingOptionsValidator : IValidateOptions<QueueHostingOptions>
{
    public ValidateOptionsResult Validate(string? name, QueueHostingOptions options)
    {
        var failures = new List<string>();
        const string s = QueueHostingOptions.Section;
        if (options.Transport is not ("sqlite" or "azure"))
            failures.Add($"Setting '{s}:Transport' must be 'sqlite' or 'azure'; it is '{options.Transport}'.");
        if (options.MaxDequeueCount is < 1 or > 1000)
            failures.Add($"Setting '{s}:MaxDequeueCount' must be between 1 and 1000; it is {options.MaxDequeueCount}.");
        if (options.BatchSize is < 1 or > 32)
            failures.Add($"Setting '{s}:BatchSize' must be between 1 and 32; it is {options.BatchSize}.");
        if (options.NewBatchThreshold is { } threshold && (threshold < 0 || threshold >= options.BatchSize * 2))
            failures.Add($"Setting '{s}:NewBatchThreshold' must be between 0 and twice the batch size; it is {threshold}.");
        if (options.VisibilityTimeout < TimeSpan.Zero || options.VisibilityTimeout > TimeSpan.FromDays(7))
            failures.Add($"Setting '{s}:VisibilityTimeout' must be between 00:00:00 and 7.00:00:00; it is {options.VisibilityTimeout}.");
        if (options.MinPollingInterval <= TimeSpan.Zero || options.MinPollingInterval > options.MaxPollingInterval)
            failures.Add($"Setting '{s}:MinPollingInterval' must be positive and at most '{s}:MaxPollingInterval'; it is {options.MinPollingInterval}.");
        if (options.MessageLease < TimeSpan.FromSeconds(1))
            failures.Add($"Setting '{s}:MessageLease' must be at least one second; it is {options.MessageLease}.");
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}

internal sealed class BrokerOptionsValidator : IValidateOptions<BrokerOptions>
{
    public ValidateOptionsResult Validate(string? name, BrokerOptions options)
    {
        if (string.IsNullOrWhiteSpace(options.DataDirectory))
            return ValidateOptionsResult.Fail($"Setting '{BrokerOptions.Section}:DataDirectory' must name a folder.");
        foreach (var url in options.Urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
                return ValidateOptionsResult.Fail($"Setting '{BrokerOptions.Section}:Urls' must be http(s) URLs separated by ';'; '{url}' is not.");
        }
        if (Standalone.AllowedHosts.From(options, []).Problem is { } hostsProblem)
            return ValidateOptionsResult.Fail(hostsProblem);
        if (options.AdminKey is { Length: > 0 and < 32 })
            return ValidateOptionsResult.Fail($"Setting '{BrokerOptions.Section}:AdminKey' is too short: use at least 32 random characters (or leave it out and create clients with `tokenbroker clients add`).");
        return ValidateOptionsResult.Success;
    }
}
