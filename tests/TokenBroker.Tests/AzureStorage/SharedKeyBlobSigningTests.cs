using System.Net.Http.Headers;
using TokenBroker.AzureStorage;
using TokenBroker.Testing;

namespace TokenBroker.Tests.AzureStorage;

/// <summary>The signer shared with the queue transport, on the requests the blob ledger makes ("Authorize with Shared Key").</summary>
public sealed class SharedKeyBlobSigningTests
{
    private static readonly byte[] Key = new byte[64];
    private static readonly ManualTimeProvider Clock = new(new DateTimeOffset(2026, 11, 21, 20, 0, 0, TimeSpan.Zero));

    [Fact]
    public async Task A_conditional_put_blob_signs_length_type_if_none_match_and_the_blob_type_header()
    {
        using var request = new HttpRequestMessage(HttpMethod.Put, "https://acct.blob.core.windows.net/tokenbroker-ledger/sent/abc/def.json");
        request.Content = new ByteArrayContent(new byte[57]);
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.TryAddWithoutValidation("x-ms-blob-type", "BlockBlob");
        request.Headers.TryAddWithoutValidation("If-None-Match", "*");
        request.Headers.TryAddWithoutValidation("x-ms-version", "2021-12-02");

        await new SharedKeyAuthenticator("acct", Key, Clock).AuthenticateAsync(request, TestContext.Current.CancellationToken);

        Assert.Equal(
            "PUT\n\n\n57\n\napplication/json\n\n\n\n*\n\n\n" +
            "x-ms-blob-type:BlockBlob\nx-ms-date:Sat, 21 Nov 2026 20:00:00 GMT\nx-ms-version:2021-12-02\n" +
            "/acct/tokenbroker-ledger/sent/abc/def.json",
            SharedKeyAuthenticator.StringToSign(request, "acct"));
    }

    [Fact]
    public void An_if_match_etag_is_signed_with_its_quotes()
    {
        using var request = new HttpRequestMessage(HttpMethod.Put, "https://acct.blob.core.windows.net/c/checkpoints/x.json");
        request.Headers.TryAddWithoutValidation("If-Match", "\"0x8DC0FFEE\"");

        Assert.Contains("\n\"0x8DC0FFEE\"\n\n\n\n", SharedKeyAuthenticator.StringToSign(request, "acct"));
    }

    [Fact]
    public void A_list_blobs_request_signs_its_sorted_query_parameters()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "http://127.0.0.1:10000/devstoreaccount1/c?restype=container&comp=list&prefix=sent%2F");

        Assert.EndsWith("\n/devstoreaccount1/devstoreaccount1/c\ncomp:list\nprefix:sent/\nrestype:container", SharedKeyAuthenticator.StringToSign(request, "devstoreaccount1"));
    }
}
