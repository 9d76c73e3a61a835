using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using TokenBroker.AzureStorage;
using TokenBroker.Queues;
using TokenBroker.Testing;

namespace TokenBroker.Tests.Queues;

/// <summary>The canonical request of "Authorize with Shared Key" (Blob, Queue and File services, 2015-02-21 and later), byte for byte.</summary>
public sealed class SharedKeyAuthenticatorTests
{
    private static readonly byte[] Key = Convert.FromBase64String("Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==");
    private static readonly ManualTimeProvider Clock = new(new DateTimeOffset(2026, 11, 21, 20, 0, 0, TimeSpan.Zero));

    [Fact]
    public async Task A_put_message_is_signed_over_its_length_type_headers_and_sorted_query()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post,
            "https://acct.queue.core.windows.net/jobs/messages?visibilitytimeout=0&messagettl=604800");
        request.Content = new ByteArrayContent(new byte[83]);
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/xml") { CharSet = "utf-8" };
        request.Headers.TryAddWithoutValidation("x-ms-version", "2021-12-02");
        request.Headers.TryAddWithoutValidation("X-MS-Client-Request-Id", "  abc  ");

        await new SharedKeyAuthenticator("acct", Key, Clock).AuthenticateAsync(request, TestContext.Current.CancellationToken);

        const string expected =
            "POST\n\n\n83\n\napplication/xml; charset=utf-8\n\n\n\n\n\n\n" +
            "x-ms-client-request-id:abc\nx-ms-date:Sat, 21 Nov 2026 20:00:00 GMT\nx-ms-version:2021-12-02\n" +
            "/acct/jobs/messages\nmessagettl:604800\nvisibilitytimeout:0";
        Assert.Equal(expected, SharedKeyAuthenticator.StringToSign(request, "acct"));
        Assert.Equal($"SharedKey acct:{Convert.ToBase64String(HMACSHA256.HashData(Key, Encoding.UTF8.GetBytes(expected)))}", request.Headers.Authorization!.ToString());
    }

    [Fact]
    public async Task An_empty_body_signs_an_empty_content_length()
    {
        using var request = new HttpRequestMessage(HttpMethod.Put, "http://127.0.0.1:10001/devstoreaccount1/jobs");
        request.Content = new ByteArrayContent([]);

        await new SharedKeyAuthenticator("devstoreaccount1", Key, Clock).AuthenticateAsync(request, TestContext.Current.CancellationToken);

        Assert.StartsWith("PUT\n\n\n\n\n\n", SharedKeyAuthenticator.StringToSign(request, "devstoreaccount1"));
    }

    [Fact]
    public void A_path_style_emulator_url_keeps_the_account_in_the_path_after_the_account()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "http://127.0.0.1:10001/devstoreaccount1/jobs?comp=metadata");

        Assert.EndsWith("\n/devstoreaccount1/devstoreaccount1/jobs\ncomp:metadata", SharedKeyAuthenticator.StringToSign(request, "devstoreaccount1"));
    }

    [Fact]
    public void Query_values_are_signed_decoded_and_names_lowercased()
    {
        using var request = new HttpRequestMessage(HttpMethod.Delete, "https://acct.queue.core.windows.net/jobs/messages/id1?PopReceipt=AgAAAA%2B%2FAQ%3D%3D");

        Assert.EndsWith("\n/acct/jobs/messages/id1\npopreceipt:AgAAAA+/AQ==", SharedKeyAuthenticator.StringToSign(request, "acct"));
    }
}
