using Azure.Identity;
using Microsoft.Extensions.Configuration;
using TokenBroker.StorageAccount;

namespace TokenBroker.Tests.StorageAccount;

/// <summary>A connection setting resolved the way the Functions host resolves one: a connection string, or identity-based keys.</summary>
public sealed class StorageConnectionConfigurationTests
{
    private static IConfiguration Settings(params (string Key, string Value)[] values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value))).Build();

    [Fact]
    public void A_plain_setting_value_is_a_connection_string()
    {
        var connection = StorageConnection.FromConfiguration(Settings(("AzureWebJobsStorage", "UseDevelopmentStorage=true")));

        Assert.Equal(StorageAuthentication.ConnectionString, connection.Authentication);
        Assert.Equal("AzureWebJobsStorage", connection.SettingName);
    }

    [Fact]
    public void An_invalid_connection_string_setting_is_named_in_the_error()
    {
        var error = Assert.Throws<InvalidOperationException>(() => StorageConnection.FromConfiguration(Settings(("AzureWebJobsStorage", "AccountName=acct"))));

        Assert.Contains("'AzureWebJobsStorage'", error.Message);
    }

    [Fact]
    public void A_connection_strings_entry_is_found_too()
    {
        var connection = StorageConnection.FromConfiguration(Settings(("ConnectionStrings:Storage", "UseDevelopmentStorage=true")), "Storage");

        Assert.Equal("devstoreaccount1", connection.AccountName);
    }

    [Fact]
    public void A_short_connection_name_is_also_looked_up_with_the_AzureWebJobs_prefix()
    {
        var connection = StorageConnection.FromConfiguration(Settings(("AzureWebJobsStorage", "UseDevelopmentStorage=true")), "Storage");

        Assert.Equal("devstoreaccount1", connection.AccountName);
    }

    [Fact]
    public void An_account_name_gives_both_public_endpoints_and_the_default_credential()
    {
        var connection = StorageConnection.FromConfiguration(Settings(("AzureWebJobsStorage:accountName", "tokenbrokerprod")));

        Assert.Equal(StorageAuthentication.Identity, connection.Authentication);
        Assert.Equal(new Uri("https://tokenbrokerprod.queue.core.windows.net"), connection.QueueServiceUri);
        Assert.Equal(new Uri("https://tokenbrokerprod.blob.core.windows.net"), connection.BlobServiceUri);
        Assert.Equal("tokenbrokerprod", connection.AccountName);
        Assert.IsType<DefaultAzureCredential>(connection.Credential);
    }

    [Fact]
    public void Double_underscore_environment_variables_are_the_identity_settings()
    {
        var name = "TB_TEST_" + Guid.NewGuid().ToString("N")[..8];
        Environment.SetEnvironmentVariable($"{name}__queueServiceUri", "https://acct.queue.core.windows.net/");
        Environment.SetEnvironmentVariable($"{name}__credential", "managedidentity");
        try
        {
            var configuration = new ConfigurationBuilder().AddEnvironmentVariables().Build();

            var connection = StorageConnection.FromConfiguration(configuration, name);

            Assert.Equal(StorageAuthentication.Identity, connection.Authentication);
            Assert.Equal(new Uri("https://acct.queue.core.windows.net/"), connection.QueueServiceUri);
            Assert.IsType<ManagedIdentityCredential>(connection.Credential);
        }
        finally
        {
            Environment.SetEnvironmentVariable($"{name}__queueServiceUri", null);
            Environment.SetEnvironmentVariable($"{name}__credential", null);
        }
    }

    [Fact]
    public void Managed_identity_with_a_client_id_uses_a_managed_identity_credential()
    {
        var connection = StorageConnection.FromConfiguration(Settings(
            ("AzureWebJobsStorage:accountName", "acct"),
            ("AzureWebJobsStorage:credential", "managedidentity"),
            ("AzureWebJobsStorage:clientId", "00000000-0000-0000-0000-000000000001")));

        Assert.IsType<ManagedIdentityCredential>(connection.Credential);
    }

    [Fact]
    public void Tenant_client_and_secret_settings_use_a_client_secret_credential()
    {
        var connection = StorageConnection.FromConfiguration(Settings(
            ("AzureWebJobsStorage:accountName", "acct"),
            ("AzureWebJobsStorage:tenantId", "contoso.onmicrosoft.com"),
            ("AzureWebJobsStorage:clientId", "00000000-0000-0000-0000-000000000001"),
            ("AzureWebJobsStorage:clientSecret", "not-a-real-secret")));

        Assert.IsType<ClientSecretCredential>(connection.Credential);
    }

    [Fact]
    public void An_unknown_credential_kind_names_the_setting()
    {
        var error = Assert.Throws<InvalidOperationException>(() => StorageConnection.FromConfiguration(Settings(
            ("AzureWebJobsStorage:accountName", "acct"), ("AzureWebJobsStorage:credential", "password"))));

        Assert.Contains("AzureWebJobsStorage__credential", error.Message);
    }

    [Theory]
    [InlineData("queueServiceUri", "http://acct.queue.core.windows.net")]
    [InlineData("blobServiceUri", "http://acct.blob.core.windows.net")]
    public void A_plain_http_identity_endpoint_is_refused_naming_the_setting(string key, string uri)
    {
        var error = Assert.Throws<InvalidOperationException>(() => StorageConnection.FromConfiguration(Settings(($"AzureWebJobsStorage:{key}", uri))));

        Assert.Contains($"AzureWebJobsStorage__{key}", error.Message);
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
    public void Identity_settings_without_an_account_or_endpoint_name_the_missing_settings()
    {
        var error = Assert.Throws<InvalidOperationException>(() => StorageConnection.FromConfiguration(Settings(("AzureWebJobsStorage:clientId", "x"))));

        Assert.Contains("AzureWebJobsStorage__accountName", error.Message);
        Assert.Contains("AzureWebJobsStorage__queueServiceUri", error.Message);
    }

    [Fact]
    public void A_missing_setting_names_every_way_to_provide_it()
    {
        var error = Assert.Throws<InvalidOperationException>(() => StorageConnection.FromConfiguration(Settings(), "LedgerStorage"));

        Assert.Contains("'LedgerStorage'", error.Message);
        Assert.Contains("LedgerStorage__accountName", error.Message);
        Assert.Contains("LedgerStorage__blobServiceUri", error.Message);
    }
}
