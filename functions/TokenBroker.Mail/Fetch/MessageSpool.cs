namespace TokenBroker.Mail.Fetch;

/// <summary>Where a message body lands while it is handed over: memory when small, a self-deleting temporary file when large.</summary>
internal static class MessageSpool
{
    public static Stream Open(long length, long maxInMemoryBytes) =>
        length <= maxInMemoryBytes
            ? new MemoryStream((int)length)
            : new FileStream(Path.Combine(Path.GetTempPath(), "tokenbroker-mail-" + Guid.NewGuid().ToString("N") + ".eml"),
                FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 64 * 1024,
                FileOptions.DeleteOnClose | FileOptions.Asynchronous);
}
