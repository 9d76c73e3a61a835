using TokenBroker.Hosting.Telemetry;

namespace TokenBroker.Tests.Jobs.Telemetry;

/// <summary>APPLICATIONINSIGHTS_AUTHENTICATION_STRING decides whether telemetry is sent with the app's managed identity.</summary>
public sealed class ApplicationInsightsAuthenticationTests
{
    [Theory]
    [InlineData("Authorization=AAD", "")]
    [InlineData("Authorization=AAD;ClientId=1f2e3d4c-0000-4000-8000-000000000001", "1f2e3d4c-0000-4000-8000-000000000001")]
    [InlineData(" authorization = aad ; clientid = abc ", "abc")]
    public void Entra_id_authentication_names_the_identity_to_use(string setting, string clientId)
    {
        Assert.Equal(clientId, BrokerTelemetry.EntraIdClientId(setting));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("Authorization=Key")]
    public void Without_entra_id_authentication_no_identity_is_used(string? setting)
    {
        Assert.Null(BrokerTelemetry.EntraIdClientId(setting));
    }
}
