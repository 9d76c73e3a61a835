using System.Text;
using TokenBroker.Mail.Sasl;

namespace TokenBroker.Mail.Tests.Support;

/// <summary>A mechanism with a fixed initial response that answers every challenge with the given bytes (XOAUTH2-like: empty).</summary>
internal sealed class FixedSaslMechanism(string name, string initialResponse, byte[]? answer = null) : ISaslMechanism
{
    public List<string> Challenges { get; } = [];

    public string Name => name;

    public byte[] Start() => Encoding.UTF8.GetBytes(initialResponse);

    public byte[] Next(byte[] challenge)
    {
        Challenges.Add(Encoding.UTF8.GetString(challenge));
        return answer ?? [];
    }
}
