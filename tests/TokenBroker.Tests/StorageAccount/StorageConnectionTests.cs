using TokenBroker.Queues;
using TokenBroker.StorageAccount;

namespace TokenBroker.Tests.StorageAccount;

/// <summary>Connection strings, as the SDK reads them: one string gives the queue transport and the blob ledger their endpoints.</summary>
public sealed class StorageConnectionTests
{
    private const string Key = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    [Fact]
    public void Development_storage_is_azurite_on_127_0_0_1_with_its_well_known_account()
    {
        var connection = StorageConnection.FromConnectionString("UseDevelopmentStorage=true");

        Assert.Equal(new Uri("http://127.0.0.1:10001/devstoreaccount1"), connection.QueueServiceUri);
        Assert.Equal(new Uri("http://127.0.0.1:10000/devstoreaccount1"), connection.BlobServiceUri);
        Assert.Equal("devstoreaccount1", connection.AccountName);
        Assert.Equal(StorageAuthentication.ConnectionString, connection.Authentication);
        Assert.Null(connection.Credential);
    }

    [Fact]
    public void An_account_key_connection_string_derives_both_public_endpoints()
    {
        var connection = StorageConnection.FromConnectionString($"DefaultEndpointsProtocol=https;AccountName=tokenbrokerprod;AccountKey={Key};EndpointSuffix=core.windows.net");

        Assert.Equal(new Uri("https://tokenbrokerprod.queue.core.windows.net"), connection.QueueServiceUri);
        Assert.Equal(new Uri("https://tokenbrokerprod.blob.core.windows.net"), connection.BlobServiceUri);
        Assert.Equal("tokenbrokerprod", connection.AccountName);
    }

    [Fact]
    public void The_endpoint_suffix_selects_a_sovereign_cloud()
    {
        var connection = StorageConnection.FromConnectionString($"AccountName=acct;AccountKey={Key};EndpointSuffix=core.chinacloudapi.cn");

        Assert.Equal(new Uri("https://acct.queue.core.chinacloudapi.cn"), connection.QueueServiceUri);
        Assert.Equal(new Uri("https://acct.blob.core.chinacloudapi.cn"), connection.BlobServiceUri);
    }

    [Fact]
    public void Explicit_endpoints_are_used_as_given()
    {
        var connection = StorageConnection.FromConnectionString(
            $"AccountName=devstoreaccount1;AccountKey={Key};QueueEndpoint=http://127.0.0.1:1/devstoreaccount1;BlobEndpoint=http://127.0.0.1:2/devstoreaccount1");

        Assert.Equal(new Uri("http://127.0.0.1:1/devstoreaccount1"), connection.QueueServiceUri);
        Assert.Equal(new Uri("http://127.0.0.1:2/devstoreaccount1"), connection.BlobServiceUri);
    }

    [Fact]
    public void With_an_account_key_a_service_without_an_explicit_endpoint_gets_the_accounts_public_one_as_the_sdk_derives_it()
    {
        var connection = StorageConnection.FromConnectionString($"AccountName=acct;AccountKey={Key};QueueEndpoint=http://127.0.0.1:1/acct");

        Assert.Equal(new Uri("https://acct.blob.core.windows.net"), connection.BlobServiceUri);
    }

    [Fact]
    public void A_sas_connection_string_is_accepted_and_its_signature_is_never_shown()
    {
        var connection = StorageConnection.FromConnectionString(
            "BlobEndpoint=https://acct.blob.core.windows.net;SharedAccessSignature=sv=2022-11-02&ss=b&sig=SECRETSIGNATURE", "LedgerStorage");

        Assert.Equal(new Uri("https://acct.blob.core.windows.net"), connection.BlobServiceUri);
        Assert.Equal(StorageAuthentication.ConnectionString, connection.Authentication);
        Assert.DoesNotContain("SECRET", connection.ToString());
        Assert.DoesNotContain("SECRET", connection.BlobServiceUri!.AbsoluteUri);
    }

    [Fact]
    public void A_connection_string_without_a_blob_endpoint_is_refused_by_what_needs_one_naming_the_setting()
    {
        var connection = StorageConnection.FromConnectionString(
            "QueueEndpoint=https://acct.queue.core.windows.net;SharedAccessSignature=sv=2022-11-02&ss=q&sig=x", "AzureWebJobsStorage");

        Assert.Null(connection.BlobServiceUri);
        var error = Assert.Throws<InvalidOperationException>(() => connection.RequireBlobServiceUri());
        Assert.Contains("AzureWebJobsStorage", error.Message);
        Assert.Contains("BlobEndpoint", error.Message);
    }

    [Theory]
    [InlineData("AccountName=acct")]
    [InlineData("AccountKey=" + Key)]
    [InlineData("AccountName=acct;AccountKey=not base64!")]
    [InlineData("AccountName=acct;AccountKey=" + Key + ";QueueEndpoint=relative/path")]
    [InlineData("just some text")]
    public void An_invalid_connection_string_names_the_setting(string connectionString)
    {
        var error = Assert.Throws<InvalidOperationException>(() => StorageConnection.FromConnectionString(connectionString, "AzureWebJobsStorage"));

        Assert.Contains("'AzureWebJobsStorage'", error.Message);
        Assert.Contains("not a valid storage connection string", error.Message);
    }

    [Fact]
    public void The_error_for_a_bad_key_does_not_echo_the_key()
    {
        var error = Assert.Throws<InvalidOperationException>(() => StorageConnection.FromConnectionString("AccountName=acct;AccountKey=secret-not-base64"));

        Assert.DoesNotContain("secret-not-base64", error.Message);
    }

    [Fact]
    public void The_connection_shows_its_setting_never_its_key()
    {
        var connection = StorageConnection.FromConnectionString($"AccountName=acct;AccountKey={Key}", "AzureWebJobsStorage");

        Assert.Contains("AzureWebJobsStorage", connection.ToString());
        Assert.DoesNotContain(Key[..12], connection.ToString());
    }

    [Fact]
    public void An_account_key_endpoint_over_plain_http_is_refused_unless_it_is_loopback()
    {
        var remote = StorageConnection.FromConnectionString($"DefaultEndpointsProtocol=http;AccountName=acct;AccountKey={Key}", "AzureWebJobsStorage");

        var error = Assert.Throws<InvalidOperationException>(() => new AzureStorageQueueTransport(remote));

        Assert.Contains("https", error.Message);
        Assert.Contains("AzureWebJobsStorage", error.Message);
        _ = new AzureStorageQueueTransport(StorageConnection.FromConnectionString("UseDevelopmentStorage=true"));
    }
}
