using Microsoft.Extensions.Configuration;
using TokenBroker.AzureStorage;

namespace TokenBroker.Tests.AzureStorage;

/// <summary>One connection setting gives the queue transport and the blob ledger their endpoints.</summary>
public sealed class StorageConnectionTests
{
    private const string Key = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private static IConfiguration Settings(params (string Key, string Value)[] values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value))).Build();

    [Fact]
    public void Development_storage_gives_azurites_blob_and_queue_ports()
    {
        var connection = StorageConnection.FromConnectionString("UseDevelopmentStorage=true");

        Assert.Equal(new Uri("http://127.0.0.1:10000/devstoreaccount1"), connection.BlobServiceUri);
        Assert.Equal(new Uri("http://127.0.0.1:10001/devstoreaccount1"), connection.QueueServiceUri);
    }

    [Fact]
    public void An_account_key_connection_string_derives_both_public_endpoints()
    {
        var connection = StorageConnection.FromConnectionString($"DefaultEndpointsProtocol=https;AccountName=acct;AccountKey={Key};EndpointSuffix=core.windows.net");

        Assert.Equal(new Uri("https://acct.blob.core.windows.net"), connection.BlobServiceUri);
        Assert.Equal(new Uri("https://acct.queue.core.windows.net"), connection.QueueServiceUri);
        Assert.Equal(StorageAuthentication.SharedKey, connection.Authentication);
    }

    [Fact]
    public void Explicit_endpoints_are_used_as_given()
    {
        var connection = StorageConnection.FromConnectionString(
            $"AccountName=devstoreaccount1;AccountKey={Key};QueueEndpoint=http://127.0.0.1:1/devstoreaccount1;BlobEndpoint=http://127.0.0.1:2/devstoreaccount1");

        Assert.Equal(new Uri("http://127.0.0.1:2/devstoreaccount1"), connection.BlobServiceUri);
        Assert.Equal(new Uri("http://127.0.0.1:1/devstoreaccount1"), connection.QueueServiceUri);
    }

    [Fact]
    public void An_explicit_queue_endpoint_alone_leaves_the_blob_endpoint_unknown_rather_than_guessing_a_public_one()
    {
        var connection = StorageConnection.FromConnectionString($"AccountName=acct;AccountKey={Key};QueueEndpoint=http://127.0.0.1:1/acct", "AzureWebJobsStorage");

        Assert.Null(connection.BlobServiceUri);
        var error = Assert.Throws<InvalidOperationException>(() => connection.RequireBlobServiceUri());
        Assert.Contains("AzureWebJobsStorage", error.Message);
        Assert.Contains("BlobEndpoint", error.Message);
    }

    [Fact]
    public void An_identity_account_name_gives_both_public_endpoints_and_a_bearer_credential()
    {
        var connection = StorageConnection.FromConfiguration(Settings(("AzureWebJobsStorage:accountName", "acct"), ("AzureWebJobsStorage:credential", "managedidentity")));

        Assert.Equal(new Uri("https://acct.blob.core.windows.net"), connection.BlobServiceUri);
        Assert.Equal(new Uri("https://acct.queue.core.windows.net"), connection.QueueServiceUri);
        Assert.Equal(StorageAuthentication.BearerToken, connection.Authentication);
        Assert.Equal("acct", connection.AccountName);
    }

    [Fact]
    public void An_identity_blob_service_uri_alone_serves_blobs_but_not_queues()
    {
        var connection = StorageConnection.FromConfiguration(Settings(("AzureWebJobsStorage:blobServiceUri", "https://acct.blob.core.windows.net")));

        Assert.Equal(new Uri("https://acct.blob.core.windows.net"), connection.BlobServiceUri);
        Assert.Equal("acct", connection.AccountName);
        var error = Assert.Throws<InvalidOperationException>(() => connection.RequireQueueServiceUri());
        Assert.Contains("AzureWebJobsStorage__queueServiceUri", error.Message);
    }

    [Fact]
    public void A_plain_http_identity_blob_uri_is_refused_naming_the_setting()
    {
        var error = Assert.Throws<InvalidOperationException>(() => StorageConnection.FromConfiguration(Settings(
            ("AzureWebJobsStorage:blobServiceUri", "http://acct.blob.core.windows.net"))));

        Assert.Contains("AzureWebJobsStorage__blobServiceUri", error.Message);
    }

    [Fact]
    public void A_missing_setting_names_every_way_to_provide_it()
    {
        var error = Assert.Throws<InvalidOperationException>(() => StorageConnection.FromConfiguration(Settings(), "LedgerStorage"));

        Assert.Contains("LedgerStorage", error.Message);
        Assert.Contains("LedgerStorage__accountName", error.Message);
        Assert.Contains("LedgerStorage__blobServiceUri", error.Message);
    }
}
