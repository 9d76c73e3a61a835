namespace TokenBroker.Hosting.Functions;

/// <summary>Trigger binding names used in generated function.json files and read back from invocations.</summary>
public static class BindingNames
{
    public const string HttpRequest = "req";
    public const string HttpResponse = "res";
    public const string Timer = "timer";
    public const string QueueMessage = "message";
}
