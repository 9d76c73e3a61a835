using TokenBroker.Mail.Imap.Wire;

namespace TokenBroker.Mail.Imap;

public enum ImapStoreMode { Add, Remove, Replace }

public sealed partial class ImapClient
{
    /// <summary>UID STORE ... +FLAGS.SILENT (\Seen): adds, removes or replaces flags without echoing them back.</summary>
    public async Task UidStoreFlagsAsync(string uidSet, ImapStoreMode mode, IEnumerable<string> flags, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(uidSet);
        var list = flags.ToList();
        if (list.Count == 0 || list.Any(flag => flag.Length == 0 || flag.Any(c => c is ' ' or '(' or ')' or '\r' or '\n')))
            throw new ArgumentException("Flags must be non-empty atoms such as \\Seen.", nameof(flags));
        var prefix = mode switch { ImapStoreMode.Add => "+", ImapStoreMode.Remove => "-", _ => "" };
        var command = new ImapCommand("UID STORE").Raw(uidSet).Raw(prefix + "FLAGS.SILENT").Raw("(" + string.Join(' ', list) + ")");
        await ExecuteAsync(command, cancellationToken: cancellationToken).ConfigureAwait(false);
    }
}
