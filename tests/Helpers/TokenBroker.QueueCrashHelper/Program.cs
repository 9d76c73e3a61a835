using TokenBroker.Queues;

// usage: <database> <queue> <batch size> <lease seconds> <deletes before pausing>
// Receives one batch, deletes the first messages, reporting each on stdout, then waits to be killed.
if (args.Length != 5)
{
    Console.Error.WriteLine("usage: TokenBroker.QueueCrashHelper <database> <queue> <batch size> <lease seconds> <deletes before pausing>");
    return 2;
}
var (database, queue) = (args[0], args[1]);
var (batchSize, leaseSeconds, deletes) = (int.Parse(args[2]), int.Parse(args[3]), int.Parse(args[4]));

await using var transport = new SqliteQueueTransport(new SqliteQueueOptions { DatabasePath = database });
var batch = await transport.ReceiveAsync(queue, batchSize, TimeSpan.FromSeconds(leaseSeconds));
Console.WriteLine($"RECEIVED {string.Join(',', batch.Select(m => m.Id))}");
foreach (var message in batch.Take(deletes))
{
    await transport.DeleteAsync(queue, message);
    Console.WriteLine($"DELETED {message.Id}");
}
Console.WriteLine("PAUSED");
await Task.Delay(Timeout.Infinite);
return 0;
