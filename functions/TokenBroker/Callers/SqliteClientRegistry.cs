using Microsoft.Data.Sqlite;
using TokenBroker.Sqlite;

namespace TokenBroker.Callers;

/// <summary>
/// Clients of the standalone broker in clients.db in its data folder (created 0600: it holds hashes only, but who
/// may act on which mailbox is nobody else's business). Shared safely by the broker and the CLI processes.
/// </summary>
internal sealed class SqliteClientRegistry : IClientRegistry, IDisposable
{
    public const string FileName = "clients.db";
    private readonly SerializedSqliteConnection _db;

    public SqliteClientRegistry(string dataDirectory)
    {
        var path = Path.GetFullPath(Path.Combine(dataDirectory, FileName));
        PrivateFiles.PrepareDatabaseFile(path);
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = path, Mode = SqliteOpenMode.ReadWriteCreate, Pooling = false, DefaultTimeout = 30,
        }.ToString());
        connection.Open();
        _db = new SerializedSqliteConnection(connection);
        using var create = _db.Command("""
            PRAGMA busy_timeout = 30000;
            CREATE TABLE IF NOT EXISTS clients (
                id     TEXT NOT NULL PRIMARY KEY,
                name   TEXT NOT NULL UNIQUE COLLATE NOCASE,
                record TEXT NOT NULL
            );
            """);
        create.ExecuteNonQuery();
    }

    public Task<BrokerClient?> FindByIdAsync(string id, CancellationToken cancellationToken) =>
        _db.RunAsync(() =>
        {
            using var command = _db.Command("SELECT record FROM clients WHERE id = $id", ("$id", id));
            return command.ExecuteScalar() is string json ? BrokerClientJson.Deserialize(json) : null;
        }, cancellationToken);

    public Task<IReadOnlyList<BrokerClient>> ListAsync(CancellationToken cancellationToken) =>
        _db.RunAsync<IReadOnlyList<BrokerClient>>(() =>
        {
            using var command = _db.Command("SELECT record FROM clients ORDER BY name");
            using var reader = command.ExecuteReader();
            var clients = new List<BrokerClient>();
            while (reader.Read())
                if (BrokerClientJson.Deserialize(reader.GetString(0)) is { } client) clients.Add(client);
            return clients;
        }, cancellationToken);

    public Task AddAsync(BrokerClient client, CancellationToken cancellationToken) =>
        _db.RunAsync(() =>
        {
            using var command = _db.Command("INSERT INTO clients (id, name, record) VALUES ($id, $name, $record)",
                ("$id", client.Id), ("$name", client.Name), ("$record", BrokerClientJson.Serialize(client)));
            try
            {
                command.ExecuteNonQuery();
            }
            catch (SqliteException e) when (e.SqliteErrorCode == 19)
            {
                throw new ClientRegistryException($"A client named '{client.Name}' already exists; remove it first or choose another name.");
            }
        }, cancellationToken);

    public Task<bool> RemoveAsync(string name, CancellationToken cancellationToken) =>
        _db.RunAsync(() =>
        {
            using var command = _db.Command("DELETE FROM clients WHERE name = $name", ("$name", name));
            return command.ExecuteNonQuery() > 0;
        }, cancellationToken);

    public void Dispose() => _db.Dispose();
}
