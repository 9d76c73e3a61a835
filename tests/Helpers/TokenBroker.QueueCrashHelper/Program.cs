using TokenBroker.Queues;

// A queue consumer in its own process, for the SQLite queue's multi-process tests.
//   pause <database> <queue> <batch size> <lease seconds> <deletes>
//       receives one batch, deletes the first <deletes> messages, reporting each, then waits to be killed
//   drain <database> <queue> <batch size> <lease seconds>
//       receives and deletes until the queue is empty, reporting every message it deleted
const string Usage = "usage: TokenBroker.QueueCrashHelper pause <database> <queue> <batch size> <lease seconds> <deletes>\n" +
                     "       TokenBroker.QueueCrashHelper drain <database> <queue> <batch size> <lease seconds>";
if (args.Length < 5 || (args[0], args.Length) is not (("pause", 6) or ("drain", 5)))
{
    Console.Error.WriteLine(Usage);
    return 2;
}
var (mode, database, queue) = (args[0], args[1], args[2]);
var (batchSize, lease) = (int.Parse(args[3]), TimeSpan.FromSeconds(int.Parse(args[4])));

await using var transport = new SqliteQueueTransport(new SqliteQueueOptions { DatabasePath = database });
if (mode == "pause")
{
    var batch = await transport.ReceiveAsync(queue, batchSize, lease);
    Console.WriteLine($"RECEIVED {string.Join(',', batch.Select(m => m.Id))}");
    foreach (var message in batch.Take(int.Parse(args[5])))
    {
        await transport.DeleteAsync(queue, message);
        Console.WriteLine($"DELETED {message.Id}");
    }
    Console.WriteLine("PAUSED");
    await Task.Delay(Timeout.Infinite);
}

while (await transport.ReceiveAsync(queue, batchSize, lease) is { Count: > 0 } received)
{
    foreach (var message in received)
    {
        await transport.DeleteAsync(queue, message);
        Console.WriteLine($"DELETED {message.Text}");
    }
}
Console.WriteLine("DRAINED");
return 0;
