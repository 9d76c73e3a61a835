namespace TokenBroker.Queues;

/// <summary>
/// One table holds the messages of every queue. Times are UTC ticks. A message is leased by moving
/// visible_at into the future and giving it a fresh pop_receipt, in the same statement that selects it.
/// </summary>
internal static class SqliteQueueSchema
{
    public const string Create = """
        CREATE TABLE IF NOT EXISTS queues (
            name TEXT NOT NULL PRIMARY KEY
        ) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS queue_messages (
            id            INTEGER PRIMARY KEY AUTOINCREMENT,
            queue_name    TEXT    NOT NULL,
            message_text  TEXT    NOT NULL,
            inserted_at   INTEGER NOT NULL,
            expires_at    INTEGER NOT NULL,
            visible_at    INTEGER NOT NULL,
            dequeue_count INTEGER NOT NULL DEFAULT 0,
            pop_receipt   TEXT
        );
        CREATE INDEX IF NOT EXISTS queue_messages_by_visibility ON queue_messages (queue_name, visible_at, id);
        CREATE INDEX IF NOT EXISTS queue_messages_by_expiry ON queue_messages (expires_at);
        """;

    public const string Peek = """
        SELECT id, message_text, dequeue_count, inserted_at FROM queue_messages
        WHERE queue_name = $queue AND visible_at <= $now AND expires_at > $now
        ORDER BY visible_at, id
        LIMIT $max
        """;

    public const string CreateQueue = "INSERT OR IGNORE INTO queues (name) VALUES ($queue)";

    public const string Send = """
        INSERT INTO queue_messages (queue_name, message_text, inserted_at, expires_at, visible_at)
        VALUES ($queue, $text, $now, $expires_at, $visible_at)
        """;

    // One statement, hence one write transaction: the rows it selects are leased before any other
    // connection (in this process or another) can read them as visible.
    public const string Receive = """
        UPDATE queue_messages
        SET visible_at = $visible_until, dequeue_count = dequeue_count + 1, pop_receipt = $receipt
        WHERE id IN (
            SELECT id FROM queue_messages
            WHERE queue_name = $queue AND visible_at <= $now AND expires_at > $now
            ORDER BY visible_at, id
            LIMIT $max)
        RETURNING id, message_text, inserted_at, expires_at, dequeue_count
        """;

    public const string Delete = "DELETE FROM queue_messages WHERE id = $id AND queue_name = $queue AND pop_receipt = $receipt";

    // Releasing clears the receipt, as Azure's Update Message replaces it: the old one is stale afterwards.
    public const string Release = """
        UPDATE queue_messages SET visible_at = $visible_at, pop_receipt = NULL
        WHERE id = $id AND queue_name = $queue AND pop_receipt = $receipt
        """;

    // Renewing gives a fresh receipt, as Azure's Update Message does: a consumer holding the old one has lost the lease.
    public const string Renew = """
        UPDATE queue_messages SET visible_at = $visible_at, pop_receipt = $new_receipt
        WHERE id = $id AND queue_name = $queue AND pop_receipt = $receipt
        """;

    public const string Count = "SELECT COUNT(*) FROM queue_messages WHERE queue_name = $queue AND expires_at > $now";

    public const string PurgeExpired = "DELETE FROM queue_messages WHERE expires_at <= $now";
}
