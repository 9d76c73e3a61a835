using TokenBroker.Jobs.Mail;
using TokenBroker.Sqlite;

namespace TokenBroker.Jobs.Fetch.Sinks;

/// <summary>
/// Delivers into a Maildir the Maildir way: the message is written to tmp/, flushed to disk, then renamed into new/.
/// The file is named after the delivery id, so a redelivered message (already in new/ or, once read, in cur/ with an
/// info suffix) is recognised and skipped. Folders are created 0700 and files 0600: they hold other people's mail.
/// The Maildir is the configured root or a sub-folder of it; no folder beneath the root may be a symbolic link, so a
/// link planted there cannot lead deliveries elsewhere.
/// </summary>
public sealed class MaildirSink : IMessageSink
{
    private const UnixFileMode FolderMode = PrivateFiles.FolderMode;
    private const UnixFileMode FileMode = PrivateFiles.FileMode;

    private readonly string _tmp;
    private readonly string _new;
    private readonly string _cur;

    /// <exception cref="MailRequestRejectedException">The folder would leave the root or cannot be created.</exception>
    public MaildirSink(MaildirSinkSettings settings, string? folder = null)
    {
        if (folder is not null && MaildirFolder.Problem(folder) is { } problem)
            throw new MailRequestRejectedException(problem);
        try
        {
            var maildir = CreateFolder(settings.Root);
            foreach (var segment in folder?.Split('/') ?? [])
                maildir = CreateConfinedFolder(settings, maildir, segment);
            _tmp = CreateConfinedFolder(settings, maildir, "tmp");
            _new = CreateConfinedFolder(settings, maildir, "new");
            _cur = CreateConfinedFolder(settings, maildir, "cur");
        }
        catch (Exception exception) when (exception is UnauthorizedAccessException or IOException)
        {
            throw new MailRequestRejectedException($"The maildir sink \"{settings.Name}\" cannot be used: {exception.Message}", exception);
        }
    }

    public async Task DeliverAsync(SinkMessage message, CancellationToken cancellationToken = default)
    {
        if (AlreadyDelivered(message.DeliveryId)) return;
        // The tmp name is unique per attempt: a crashed attempt leaves only a stray tmp file, never a half message in new/.
        var tmpFile = Path.Combine(_tmp, $"{message.DeliveryId}.{Guid.NewGuid():N}");
        try
        {
            var options = new FileStreamOptions
            {
                Mode = System.IO.FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None, BufferSize = 64 * 1024,
                Options = FileOptions.Asynchronous,
            };
            if (!OperatingSystem.IsWindows()) options.UnixCreateMode = FileMode;
            await using (var file = new FileStream(tmpFile, options))
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

    private static string CreateFolder(string path) =>
        OperatingSystem.IsWindows() ? Directory.CreateDirectory(path).FullName : Directory.CreateDirectory(path, FolderMode).FullName;

    private static string CreateConfinedFolder(MaildirSinkSettings settings, string parent, string name)
    {
        var path = Path.Combine(parent, name);
        if (new FileInfo(path).LinkTarget is not null)
            throw new MailRequestRejectedException($"The maildir sink \"{settings.Name}\" refuses the folder \"{Path.GetRelativePath(settings.Root, path)}\": it is a symbolic link, which could lead outside the sink's root.");
        return CreateFolder(path);
    }

    private bool AlreadyDelivered(string deliveryId) =>
        File.Exists(Path.Combine(_new, deliveryId)) || Directory.EnumerateFiles(_cur, deliveryId + "*").Any();
}
