using System.Net.Sockets;
using Microsoft.Identity.Client;
using TokenBroker.OAuth;

namespace TokenBroker.Tests.OAuth;

public sealed class TokenFailureClassifierTests
{
    [Theory]
    [InlineData(65001, TokenFailureKind.NeedsConsent)]
    [InlineData(700082, TokenFailureKind.NeedsConsent)]
    [InlineData(50173, TokenFailureKind.NeedsConsent)]
    [InlineData(50133, TokenFailureKind.NeedsConsent)]
    [InlineData(70043, TokenFailureKind.NeedsConsent)]
    [InlineData(50076, TokenFailureKind.NeedsConsent)]
    [InlineData(50079, TokenFailureKind.NeedsConsent)]
    [InlineData(7000222, TokenFailureKind.BrokenCredential)]
    [InlineData(7000215, TokenFailureKind.BrokenCredential)]
    [InlineData(54005, TokenFailureKind.CallbackReplay)]
    public void Each_AADSTS_code_of_the_table_maps_to_its_broker_state(int code, TokenFailureKind expected)
    {
        var failure = TokenFailureClassifier.FromError("invalid_grant", $"AADSTS{code}: something. Trace ID: x Correlation ID: y", statusCode: 400);

        Assert.Equal(expected, failure.Kind);
        Assert.Equal(code, failure.AadstsCode);
        Assert.StartsWith($"AADSTS{code}: ", failure.Reason);
        Assert.DoesNotContain("Trace ID", failure.Reason);
    }

    [Theory]
    [InlineData(500)]
    [InlineData(503)]
    [InlineData(429)]
    public void Server_errors_and_throttling_are_transient(int status)
    {
        var exception = new MsalServiceException("temporarily_unavailable", "AADSTS90033: A transient error has occurred.", status);

        Assert.Equal(TokenFailureKind.Transient, TokenFailureClassifier.Classify(exception).Kind);
    }

    [Fact]
    public void A_ui_required_exception_without_a_code_needs_consent()
    {
        var failure = TokenFailureClassifier.Classify(new MsalUiRequiredException("invalid_grant", "The refresh token is no longer valid."));

        Assert.Equal(TokenFailureKind.NeedsConsent, failure.Kind);
        Assert.Contains("sign in again", failure.Reason);
    }

    [Fact]
    public void Network_errors_and_timeouts_are_transient()
    {
        Assert.Equal(TokenFailureKind.Transient, TokenFailureClassifier.Classify(new HttpRequestException("reset", new SocketException())).Kind);
        Assert.Equal(TokenFailureKind.Transient, TokenFailureClassifier.Classify(new TaskCanceledException("timeout")).Kind);
        Assert.Equal(TokenFailureKind.Transient, TokenFailureClassifier.Classify(new MsalClientException(MsalError.RequestTimeout, "timed out")).Kind);
    }

    [Fact]
    public void An_unknown_code_keeps_the_providers_own_words()
    {
        var failure = TokenFailureClassifier.FromError("invalid_request", "AADSTS123456: The widget is sideways. Trace ID: abc", statusCode: 400);

        Assert.Equal(TokenFailureKind.Failed, failure.Kind);
        Assert.Equal("AADSTS123456: The widget is sideways.", failure.Reason);
    }

    [Fact]
    public void An_invalid_client_error_without_a_code_is_a_broken_credential()
    {
        Assert.Equal(TokenFailureKind.BrokenCredential, TokenFailureClassifier.FromError("invalid_client", null, statusCode: 401).Kind);
    }

    [Fact]
    public void A_public_clients_refresh_token_presented_with_the_credential_needs_consent_for_that_mailbox_only()
    {
        var failure = TokenFailureClassifier.FromError("invalid_client",
            "AADSTS700025: Client is public so neither 'client_assertion' nor 'client_secret' should be presented. Trace ID: x", statusCode: 400);

        Assert.Equal(TokenFailureKind.NeedsConsent, failure.Kind);
        Assert.Equal(700025, failure.AadstsCode);
        Assert.Contains("issued to a public client", failure.Reason);
        Assert.DoesNotContain("Every mailbox", failure.Reason);
    }
}
