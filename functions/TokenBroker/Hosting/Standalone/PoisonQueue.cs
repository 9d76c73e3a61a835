namespace TokenBroker.Hosting.Standalone;

public static class PoisonQueue
{
    /// <summary>The Functions host's convention: messages that keep failing move to "&lt;queue&gt;-poison".</summary>
    public static string NameFor(string queueName) => queueName + "-poison";
}
