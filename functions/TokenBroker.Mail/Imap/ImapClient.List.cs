using TokenBroker.Mail.Imap.Wire;

namespace TokenBroker.Mail.Imap;

/// <summary>A LIST entry: the mailbox name (decoded from modified UTF-7), its hierarchy delimiter and attributes.</summary>
public sealed record ImapListEntry(string Name, string? Delimiter, IReadOnlyList<string> Attributes);

public sealed partial class ImapClient
{
    /// <summary>LIST reference pattern ("" and "*" list everything).</summary>
    public async Task<IReadOnlyList<ImapListEntry>> ListAsync(string reference = "", string pattern = "*", CancellationToken cancellationToken = default)
    {
        var entries = new List<ImapListEntry>();
        ValueTask Collect(ImapResponse response)
        {
            if (response.Name != "LIST") return ValueTask.CompletedTask;
            var decoder = response.Decoder;
            string? delimiter = null;
            string name = string.Empty;
            if (decoder.ExpectSP() && decoder.ExpectFlagList(out var attributes) && decoder.ExpectSP()
                && decoder.ExpectNString(out delimiter) && decoder.ExpectSP() && decoder.ExpectAString(out name))
            {
                entries.Add(new ImapListEntry(ModifiedUtf7.Decode(name), delimiter, attributes));
            }
            return ValueTask.CompletedTask;
        }
        var command = new ImapCommand("LIST").AString(reference, utf8Accepted: false).AString(pattern, utf8Accepted: false);
        await ExecuteAsync(command, Collect, cancellationToken: cancellationToken).ConfigureAwait(false);
        return entries;
    }
}
