namespace TokenBroker.Sqlite;

/// <summary>
/// Files and folders the broker creates for its data hold queued mail and mailbox records: only the broker's user may
/// read them (folders 0700, files 0600), whatever the umask. On Windows the folder's inherited ACL applies instead.
/// </summary>
internal static class PrivateFiles
{
    public const UnixFileMode FolderMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    public const UnixFileMode FileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    private const UnixFileMode GroupOrOther = UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute
        | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    /// <summary>Creates <paramref name="path"/> and any missing parent 0700; an existing folder is left as it is
    /// (it may be shared on purpose).</summary>
    public static void CreateFolder(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(path);
            return;
        }
        // Directory.CreateDirectory(path, mode) gives the mode to the last folder only; missing parents get the umask's.
        var missing = new Stack<string>();
        for (var folder = Path.GetFullPath(path); !Directory.Exists(folder); folder = Path.GetDirectoryName(folder)!)
            missing.Push(folder);
        while (missing.TryPop(out var folder))
            Directory.CreateDirectory(folder, FolderMode);
    }

    /// <summary>
    /// Makes the SQLite database at <paramref name="fullPath"/> (and its -wal/-shm companions) private before SQLite opens
    /// it: SQLite would create the file 0644 and gives its companions the database file's mode. A file left readable by
    /// an earlier version is tightened too.
    /// </summary>
    public static void PrepareDatabaseFile(string fullPath)
    {
        CreateFolder(Path.GetDirectoryName(fullPath)!);
        if (OperatingSystem.IsWindows()) return;
        if (!File.Exists(fullPath))
        {
            try
            {
                using var _ = new FileStream(fullPath, new FileStreamOptions
                {
                    Mode = System.IO.FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = FileMode,
                });
            }
            catch (IOException) when (File.Exists(fullPath))
            {
                // Another process created it first; it is tightened below like any existing file.
            }
        }
        foreach (var file in new[] { fullPath, fullPath + "-wal", fullPath + "-shm", fullPath + "-journal" })
        {
            if (File.Exists(file) && (File.GetUnixFileMode(file) & GroupOrOther) != 0)
                File.SetUnixFileMode(file, File.GetUnixFileMode(file) & ~GroupOrOther);
        }
    }

    /// <summary>
    /// Replaces <paramref name="path"/> with <paramref name="content"/> (0600) in one step: written aside under a name of
    /// its own, then moved over. Processes sharing a data folder may write the same file at once; a reader sees one
    /// whole version.
    /// </summary>
    public static void ReplaceWhole(string path, ReadOnlySpan<byte> content)
    {
        var temporary = $"{path}.{Guid.NewGuid():N}.tmp";
        try
        {
            WriteNew(temporary, content);
            File.Move(temporary, path, overwrite: true);
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }
    }

    /// <summary>Writes a new file 0600 holding a credential; fails when it exists, so nobody can swap in their own.</summary>
    public static void WriteNew(string path, string content) => WriteNew(path, System.Text.Encoding.UTF8.GetBytes(content));

    /// <inheritdoc cref="WriteNew(string, string)"/>
    public static void WriteNew(string path, ReadOnlySpan<byte> content)
    {
        CreateFolder(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var options = new FileStreamOptions { Mode = System.IO.FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = FileMode;
        using var stream = new FileStream(path, options);
        stream.Write(content);
    }
}
