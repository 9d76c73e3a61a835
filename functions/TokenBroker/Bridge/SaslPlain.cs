using System.Text;

namespace TokenBroker.Bridge;

/// <summary>SASL PLAIN (RFC 4616): authzid NUL authcid NUL password. The mailbox is the authzid when given, else the authcid.</summary>
public static class SaslPlain
{
    public static bool TryDecode(string base64, out string user, out string password)
    {
        user = password = "";
        byte[] bytes;
        try
        {
            bytes = Convert.FromBase64String(base64.Trim());
        }
        catch (FormatException)
        {
            return false;
        }
        var parts = Encoding.UTF8.GetString(bytes).Split('\0');
        if (parts.Length != 3 || parts[1].Length == 0) return false;
        user = parts[0].Length > 0 ? parts[0] : parts[1];
        password = parts[2];
        return true;
    }
}
