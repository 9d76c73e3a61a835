namespace TokenBroker.Mail.Sasl;

public interface ISaslMechanism
{
    string Name { get; }
    byte[] Start();
    byte[] Next(byte[] challenge);
}
