namespace TokenBroker.Jobs.Fetch.Sinks;

/// <summary>
/// The sub-folder a fetch request may ask of a Maildir sink: a relative path of plain segments ("support/2026"), so it
/// stays beneath the configured root. No "." or ".." segment, no absolute path, no backslash, no control character;
/// symbolic links are checked where the folder is created (<see cref="MaildirSink"/>).
/// </summary>
public static class MaildirFolder
{
    public const int MaxLength = 200;

    /// <summary>Why <paramref name="folder"/> cannot be used, in a sentence; null when it can.</summary>
    public static string? Problem(string folder)
    {
        if (folder.Length == 0 || folder.Length > MaxLength)
            return $"The sink \"folder\" must be 1-{MaxLength} characters.";
        if (folder.StartsWith('/') || Path.IsPathRooted(folder))
            return "The sink \"folder\" must be relative to the sink's root; an absolute path is refused.";
        var segments = folder.Split('/');
        if (segments.Any(s => s is "" or "." or ".."))
            return "The sink \"folder\" may not contain empty, \".\" or \"..\" segments; it must stay beneath the sink's root.";
        if (folder.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '/' or '.' or '_' or '-' or '+' or '@')))
            return "The sink \"folder\" may contain only letters, digits and . _ - + @ (segments separated by /).";
        return null;
    }
}
