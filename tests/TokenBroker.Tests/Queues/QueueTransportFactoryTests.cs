using Microsoft.Extensions.Configuration;
using TokenBroker.Queues;

namespace TokenBroker.Tests.Queues;

public sealed class QueueTransportFactoryTests
{
    private static IConfiguration Settings(params (string Key, string Value)[] values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value))).Build();

    [Fact]
    public void Sqlite_is_the_default_and_uses_the_configured_file()
    {
        var directory = Directory.CreateTempSubdirectory("tb-factory-").FullName;
        try
        {
            var path = Path.Combine(directory, "q.db");
            using (var transport = Assert.IsType<SqliteQueueTransport>(QueueTransportFactory.Create(Settings(("Queues:Sqlite:DatabasePath", path)))))
            {
                Assert.True(File.Exists(path));
            }
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public void Azure_storage_is_chosen_by_setting_and_uses_the_named_connection()
    {
        var transport = QueueTransportFactory.Create(Settings(
            ("Queues:Transport", "AzureStorage"), ("Queues:Connection", "QueueStorage"), ("QueueStorage", "UseDevelopmentStorage=true")));

        Assert.IsType<AzureStorageQueueTransport>(transport);
    }

    [Fact]
    public void Azure_storage_without_a_connection_names_the_missing_setting()
    {
        var error = Assert.Throws<InvalidOperationException>(() => QueueTransportFactory.Create(Settings(("Queues:Transport", "AzureStorage"))));

        Assert.Contains("AzureWebJobsStorage", error.Message);
    }

    [Fact]
    public void Invalid_azure_request_settings_are_refused_naming_them()
    {
        var error = Assert.Throws<InvalidOperationException>(() => QueueTransportFactory.Create(Settings(
            ("Queues:Transport", "AzureStorage"), ("AzureWebJobsStorage", "UseDevelopmentStorage=true"), ("Queues:Azure:MaxRetries", "-1"))));

        Assert.Contains("Queues:Azure:MaxRetries", error.Message);
    }

    [Fact]
    public void An_unknown_transport_names_the_setting()
    {
        var error = Assert.Throws<InvalidOperationException>(() => QueueTransportFactory.Create(Settings(("Queues:Transport", "RabbitMq"))));

        Assert.Contains("Queues:Transport", error.Message);
    }
}
