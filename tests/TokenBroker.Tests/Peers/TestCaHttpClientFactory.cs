using Microsoft.Identity.Client;
using TokenBroker.Testing;

namespace TokenBroker.Tests.Peers;

/// <summary>Gives MSAL an HttpClient that trusts the peers' test CA (and validates everything else as usual).</summary>
internal sealed class TestCaHttpClientFactory : IMsalHttpClientFactory
{
    private static readonly HttpClient Shared = new(TestCertificates.CreateHttpClientHandler()) { Timeout = TimeSpan.FromSeconds(30) };

    public HttpClient GetHttpClient() => Shared;
}
