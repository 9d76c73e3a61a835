namespace TokenBroker.Callers;

/// <summary>Files holding credentials: readable by the broker's own user only (0600 files in 0700 folders).</summary>
internal static class OwnerOnlyFiles
{
    private const UnixFileMode FolderMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private const UnixFileMode FileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    public static void CreateDirectory(string path)
    {
        if (OperatingSystem.IsWindows()) { Directory.CreateDirectory(path); return; }
        Directory.CreateDirectory(path, FolderMode);
    }

    /// <summary>Creates the file empty with mode 0600 unless it exists (an existing file keeps its content, its mode is narrowed).</summary>
    public static void Touch(string path)
    {
        if (OperatingSystem.IsWindows()) { using (File.Open(path, System.IO.FileMode.OpenOrCreate)) { } return; }
        using (new FileStream(path, new FileStreamOptions { Mode = System.IO.FileMode.OpenOrCreate, Access = FileAccess.Write, UnixCreateMode = FileMode })) { }
        File.SetUnixFileMode(path, FileMode);
    }

    /// <summary>Writes a new file 0600; fails when it exists, so a second writer cannot replace the first one's secret.</summary>
    public static void WriteNew(string path, string content)
    {
        var options = new FileStreamOptions { Mode = System.IO.FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = FileMode;
        using var stream = new FileStream(path, options);
        using var writer = new StreamWriter(stream);
        writer.Write(content);
    }
}
