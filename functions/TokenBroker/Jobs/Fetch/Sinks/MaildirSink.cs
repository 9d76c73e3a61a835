using TokenBroker.Jobs.Mail;

namespace TokenBroker.Jobs.Fetch.Sinks;

/// <summary>
/// Delivers into a Maildir the Maildir way: the message is written to tmp/, flushed to disk, then renamed into new/.
/// The file is named after the delivery id, so a redelivered message (already in new/ or, once read, in cur/ with an
/// info suffix) is recognised and skipped.
/// </summary>
public sealed class MaildirSink : IMessageSink
{
    private readonly string _tmp;
    private readonly string _new;
    private readonly string _cur;

    public MaildirSink(string path)
    {
        if (!Path.IsPathFullyQualified(path))
            throw new MailRequestRejectedException($"The maildir sink path \"{path}\" is not an absolute path.");
        try
        {
            _tmp = Directory.CreateDirectory(Path.Combine(path, "tmp")).FullName;
            _new = Directory.CreateDirectory(Path.Combine(path, "new")).FullName;
            _cur = Directory.CreateDirectory(Path.Combine(path, "cur")).FullName;
        }
        catch (Exception exception) when (exception is UnauthorizedAccessException or IOException)
        {
            throw new MailRequestRejectedException($"The maildir sink path \"{path}\" cannot be used: {exception.Message}", exception);
        }
    }

    public async Task DeliverAsync(SinkMessage message, CancellationToken cancellationToken = default)
    {
        if (AlreadyDelivered(message.DeliveryId)) return;
        // The tmp name is unique per attempt: a crashed attempt leaves only a stray tmp file, never a half message in new/.
        var tmpFile = Path.Combine(_tmp, $"{message.DeliveryId}.{Guid.NewGuid():N}");
        try
        {
            await using (var file = new FileStream(tmpFile, FileMode.CreateNew, FileAccess.Write, FileShare.None, 64 * 1024, FileOptions.Asynchronous))
            {
                await message.Content.CopyToAsync(file, cancellationToken).ConfigureAwait(false);
                file.Flush(flushToDisk: true);
            }
            try
            {
                File.Move(tmpFile, Path.Combine(_new, message.DeliveryId), overwrite: false);
            }
            catch (IOException) when (AlreadyDelivered(message.DeliveryId))
            {
                // Another attempt delivered it between the check and the rename: the message is there once.
            }
        }
        finally
        {
            if (File.Exists(tmpFile)) File.Delete(tmpFile);
        }
    }

    private bool AlreadyDelivered(string deliveryId) =>
        File.Exists(Path.Combine(_new, deliveryId)) || Directory.EnumerateFiles(_cur, deliveryId + "*").Any();
}
