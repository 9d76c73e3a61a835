using Azure.Identity;
using Microsoft.Extensions.Configuration;
using TokenBroker.Queues;

namespace TokenBroker.Tests.Queues;

public sealed class QueueConnectionTests
{
    private const string Key = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private static IConfiguration Settings(params (string Key, string Value)[] values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value))).Build();

    [Fact]
    public void Development_storage_resolves_to_azurite_with_its_well_known_account()
    {
        var connection = QueueConnection.FromConnectionString("UseDevelopmentStorage=true");

        Assert.Equal(new Uri("http://127.0.0.1:10001/devstoreaccount1"), connection.QueueServiceUri);
        Assert.Equal("devstoreaccount1", connection.AccountName);
        Assert.Equal(QueueAuthentication.SharedKey, connection.Authentication);
        Assert.Equal(Convert.FromBase64String(Key), connection.AccountKey);
    }

    [Fact]
    public void An_account_key_connection_string_resolves_to_the_public_queue_endpoint()
    {
        var connection = QueueConnection.FromConnectionString($"DefaultEndpointsProtocol=https;AccountName=tokenbrokerprod;AccountKey={Key};EndpointSuffix=core.windows.net");

        Assert.Equal(new Uri("https://tokenbrokerprod.queue.core.windows.net"), connection.QueueServiceUri);
        Assert.Equal("tokenbrokerprod", connection.AccountName);
        Assert.Equal(QueueAuthentication.SharedKey, connection.Authentication);
    }

    [Fact]
    public void The_endpoint_suffix_selects_a_sovereign_cloud()
    {
        var connection = QueueConnection.FromConnectionString($"AccountName=acct;AccountKey={Key};EndpointSuffix=core.chinacloudapi.cn");

        Assert.Equal(new Uri("https://acct.queue.core.chinacloudapi.cn"), connection.QueueServiceUri);
    }

    [Fact]
    public void An_explicit_queue_endpoint_wins_over_the_derived_one()
    {
        var connection = QueueConnection.FromConnectionString($"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={Key};QueueEndpoint=http://127.0.0.1:23030/devstoreaccount1;");

        Assert.Equal(new Uri("http://127.0.0.1:23030/devstoreaccount1"), connection.QueueServiceUri);
    }

    [Theory]
    [InlineData("AccountName=acct", "AccountKey")]
    [InlineData("AccountKey=" + Key, "AccountName")]
    [InlineData("AccountName=acct;AccountKey=not base64!", "base64")]
    [InlineData("AccountName=acct;AccountKey=" + Key + ";QueueEndpoint=relative/path", "QueueEndpoint")]
    [InlineData("AccountName=acct;SharedAccessSignature=sv=2021", "SAS")]
    [InlineData("just some text", "Key=Value")]
    public void An_invalid_connection_string_names_the_setting_and_the_problem(string connectionString, string problem)
    {
        var error = Assert.Throws<InvalidOperationException>(() => QueueConnection.FromConfiguration(Settings(("AzureWebJobsStorage", connectionString))));

        Assert.Contains("'AzureWebJobsStorage'", error.Message);
        Assert.Contains(problem, error.Message);
    }

    [Fact]
    public void The_error_for_a_bad_key_does_not_echo_the_key()
    {
        var error = Assert.Throws<InvalidOperationException>(() => QueueConnection.FromConnectionString("AccountName=acct;AccountKey=secret-not-base64"));

        Assert.DoesNotContain("secret-not-base64", error.Message);
    }

    [Fact]
    public void A_plain_setting_value_is_a_connection_string()
    {
        var connection = QueueConnection.FromConfiguration(Settings(("AzureWebJobsStorage", "UseDevelopmentStorage=true")));

        Assert.Equal(QueueAuthentication.SharedKey, connection.Authentication);
    }

    [Fact]
    public void A_connection_strings_entry_is_found_too()
    {
        var connection = QueueConnection.FromConfiguration(Settings(("ConnectionStrings:Storage", "UseDevelopmentStorage=true")), "Storage");

        Assert.Equal("devstoreaccount1", connection.AccountName);
    }

    [Fact]
    public void A_short_connection_name_is_also_looked_up_with_the_AzureWebJobs_prefix()
    {
        var connection = QueueConnection.FromConfiguration(Settings(("AzureWebJobsStorage", "UseDevelopmentStorage=true")), "Storage");

        Assert.Equal("devstoreaccount1", connection.AccountName);
    }

    [Fact]
    public void An_account_name_setting_selects_bearer_authentication_on_the_public_endpoint()
    {
        var connection = QueueConnection.FromConfiguration(Settings(("AzureWebJobsStorage:accountName", "tokenbrokerprod")));

        Assert.Equal(QueueAuthentication.BearerToken, connection.Authentication);
        Assert.Equal(new Uri("https://tokenbrokerprod.queue.core.windows.net"), connection.QueueServiceUri);
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

            var connection = QueueConnection.FromConfiguration(configuration, name);

            Assert.Equal(QueueAuthentication.BearerToken, connection.Authentication);
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
        var connection = QueueConnection.FromConfiguration(Settings(
            ("AzureWebJobsStorage:accountName", "acct"),
            ("AzureWebJobsStorage:credential", "managedidentity"),
            ("AzureWebJobsStorage:clientId", "00000000-0000-0000-0000-000000000001")));

        Assert.IsType<ManagedIdentityCredential>(connection.Credential);
    }

    [Fact]
    public void Tenant_client_and_secret_settings_use_a_client_secret_credential()
    {
        var connection = QueueConnection.FromConfiguration(Settings(
            ("AzureWebJobsStorage:accountName", "acct"),
            ("AzureWebJobsStorage:tenantId", "contoso.onmicrosoft.com"),
            ("AzureWebJobsStorage:clientId", "00000000-0000-0000-0000-000000000001"),
            ("AzureWebJobsStorage:clientSecret", "not-a-real-secret")));

        Assert.IsType<ClientSecretCredential>(connection.Credential);
    }

    [Fact]
    public void An_unknown_credential_kind_names_the_setting()
    {
        var error = Assert.Throws<InvalidOperationException>(() => QueueConnection.FromConfiguration(Settings(
            ("AzureWebJobsStorage:accountName", "acct"), ("AzureWebJobsStorage:credential", "password"))));

        Assert.Contains("AzureWebJobsStorage__credential", error.Message);
    }

    [Fact]
    public void A_plain_http_identity_endpoint_is_refused()
    {
        var error = Assert.Throws<InvalidOperationException>(() => QueueConnection.FromConfiguration(Settings(
            ("AzureWebJobsStorage:queueServiceUri", "http://acct.queue.core.windows.net"))));

        Assert.Contains("AzureWebJobsStorage__queueServiceUri", error.Message);
    }

    [Fact]
    public void Identity_settings_without_an_account_or_endpoint_name_the_missing_settings()
    {
        var error = Assert.Throws<InvalidOperationException>(() => QueueConnection.FromConfiguration(Settings(("AzureWebJobsStorage:clientId", "x"))));

        Assert.Contains("AzureWebJobsStorage__accountName", error.Message);
        Assert.Contains("AzureWebJobsStorage__queueServiceUri", error.Message);
    }

    [Fact]
    public void A_missing_connection_names_the_setting()
    {
        var error = Assert.Throws<InvalidOperationException>(() => QueueConnection.FromConfiguration(Settings(), "MyQueues"));

        Assert.Contains("'MyQueues'", error.Message);
    }

    [Fact]
    public void A_shared_key_endpoint_over_plain_http_is_refused_unless_it_is_loopback()
    {
        var remote = QueueConnection.FromConnectionString($"DefaultEndpointsProtocol=http;AccountName=acct;AccountKey={Key}");

        var error = Assert.Throws<InvalidOperationException>(() => new AzureStorageQueueTransport(remote));

        Assert.Contains("https", error.Message);
        using var local = new AzureStorageQueueTransport(QueueConnection.FromConnectionString("UseDevelopmentStorage=true"));
    }
}
