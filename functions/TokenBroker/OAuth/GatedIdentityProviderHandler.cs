using System.Net;
using System.Text.Json;

namespace TokenBroker.OAuth;

/// <summary>
/// Holds a slot of the flow's <see cref="TokenRequestGateScope"/> gate for exactly the HTTP exchange with the identity
/// provider, so the limit the sweep adapts counts what the provider sees, not MSAL's work around it (loading and saving
/// the cache, parsing the answer). A refusal is classified and told to the gate before the slot is freed, so a request
/// waiting for it already sees the pause (429/5xx, Retry-After) or the end (a broken client credential) it calls for.
/// </summary>
public sealed class GatedIdentityProviderHandler(HttpMessageHandler inner) : DelegatingHandler(inner)
{
    /// <summary>Error answers are a few hundred bytes; more is not an OAuth error body.</summary>
    private const int MaxErrorBody = 64 * 1024;

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (TokenRequestGateScope.Current is not { } gate) return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        using var slot = await gate.EnterAsync(cancellationToken).ConfigureAwait(false);
        var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
            slot.Refused(await ClassifyAsync(response, cancellationToken).ConfigureAwait(false), IdentityProviderRetryAfter.Of(response.Headers.RetryAfter));
        return response;
    }

    private static async Task<TokenFailure> ClassifyAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var status = (int)response.StatusCode;
        if (status is >= 500 or (int)HttpStatusCode.TooManyRequests)
            return TokenFailureClassifier.FromError(null, null, status);
        string? error = null, description = null;
        try
        {
            // Buffered, so MSAL reads the same body after us.
            await response.Content.LoadIntoBufferAsync(MaxErrorBody, cancellationToken).ConfigureAwait(false);
            using var body = JsonDocument.Parse(await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false));
            if (body.RootElement.ValueKind == JsonValueKind.Object)
            {
                if (body.RootElement.TryGetProperty("error", out var e) && e.ValueKind == JsonValueKind.String) error = e.GetString();
                if (body.RootElement.TryGetProperty("error_description", out var d) && d.ValueKind == JsonValueKind.String) description = d.GetString();
            }
        }
        catch (Exception e) when (e is JsonException or HttpRequestException)
        {
            // Not an OAuth error body (or too large): the status alone decides, and MSAL reports the rest.
        }
        return TokenFailureClassifier.FromError(error, description, status);
    }
}
