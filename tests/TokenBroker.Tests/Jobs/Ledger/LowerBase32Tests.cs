using System.Text;
using TokenBroker.Jobs.Ledger;

namespace TokenBroker.Tests.Jobs.Ledger;

public sealed class LowerBase32Tests
{
    // RFC 4648 section 10 test vectors, in lower case and without padding.
    [Theory]
    [InlineData("", "")]
    [InlineData("f", "my")]
    [InlineData("fo", "mzxq")]
    [InlineData("foo", "mzxw6")]
    [InlineData("foob", "mzxw6yq")]
    [InlineData("fooba", "mzxw6ytb")]
    [InlineData("foobar", "mzxw6ytboi")]
    public void Encodes_the_rfc_4648_test_vectors(string input, string expected)
    {
        Assert.Equal(expected, LowerBase32.Encode(Encoding.ASCII.GetBytes(input)));
    }
}
