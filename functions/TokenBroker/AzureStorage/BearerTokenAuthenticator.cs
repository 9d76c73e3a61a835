using System.Net.Http.Headers;
using Azure.Core;

namespace TokenBroker.AzureStorage;

/// <summary>
/// Entra authorization for Azure Storage: a token for https://storage.azure.com/.default, reused until
/// five minutes before it expires. Only ever sent over https.
/// </summary>
internal sealed class BearerTokenAuthenticator(TokenCredential credential, TimeProvider time) : StorageRequestAuthenticator
{
    private static readonly TimeSpan RefreshMargin = TimeSpan.FromMinutes(5);
    private static readonly TokenRequestContext StorageScope = new([StorageConnection.StorageAudienceScope]);
    private readonly SemaphoreSlim _refresh = new(1, 1);
    private AccessToken? _token;

    public override async ValueTask AuthenticateAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (request.RequestUri!.Scheme != Uri.UriSchemeHttps)
            throw new InvalidOperationException($"A bearer token is only sent over https; the storage endpoint is {request.RequestUri.GetLeftPart(UriPartial.Authority)}.");
        var token = await GetTokenAsync(cancellationToken).ConfigureAwait(false);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
    }

    private async ValueTask<string> GetTokenAsync(CancellationToken cancellationToken)
    {
        if (_token is { } cached && cached.ExpiresOn - RefreshMargin > time.GetUtcNow()) return cached.Token;
        await _refresh.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_token is { } current && current.ExpiresOn - RefreshMargin > time.GetUtcNow()) return current.Token;
            var fresh = await credential.GetTokenAsync(StorageScope, cancellationToken).ConfigureAwait(false);
            _token = fresh;
            return fresh.Token;
        }
        finally
        {
            _refresh.Release();
        }
    }
}
