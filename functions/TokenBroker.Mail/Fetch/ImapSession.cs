using MailKit;
using MailKit.Net.Imap;
using MailKit.Search;
using TokenBroker.Mail.Net;

namespace TokenBroker.Mail.Fetch;

/// <summary>
/// A logged-in, read-only IMAP session for looking things up (the in-doubt check's Sent-folder search), with
/// the fetch's limits and errors: <see cref="MailCommandException"/> carries the server's line,
/// <see cref="MailProtocolException"/> says which limit or fault ended the connection.
/// </summary>
public sealed class ImapSession : IAsyncDisposable
{
    private readonly FetchSession<ImapClient> _session;

    private ImapSession(FetchSession<ImapClient> session) => _session = session;

    /// <summary>Connects with TLS, logs in, and allows <paramref name="runTimeout"/> (default 2 minutes) for the whole session.</summary>
    public static async Task<ImapSession> OpenAsync(MailEndpoint endpoint, MailClientOptions clientOptions, MailLogin login, CancellationToken cancellationToken = default,
        TimeSpan? runTimeout = null)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        ArgumentNullException.ThrowIfNull(clientOptions);
        ArgumentNullException.ThrowIfNull(login);
        var options = new MailFetchOptions { RunTimeout = runTimeout ?? TimeSpan.FromMinutes(2) };
        var session = await FetchSession<ImapClient>.OpenAsync(MailKitConnector.CreateImap(clientOptions), MailProtocol.Imap, endpoint, clientOptions, login, options,
            cancellationToken).ConfigureAwait(false);
        return new ImapSession(session);
    }

    /// <summary>
    /// <paramref name="configured"/> when set; else the folder the server marks \Sent; else the first of
    /// <paramref name="conventionalNames"/> that exists (any case); null when there is none.
    /// </summary>
    public async Task<string?> FindFolderAsync(string? configured, IReadOnlyList<string> conventionalNames)
    {
        if (!string.IsNullOrWhiteSpace(configured)) return configured;
        var client = _session.Client;
        var folders = await _session.RunAsync("LIST", FetchSession<ImapClient>.ProtocolAllowance * 4,
            token => client.GetFoldersAsync(client.PersonalNamespaces[0], subscribedOnly: false, token)).ConfigureAwait(false);
        return folders.FirstOrDefault(f => f.Attributes.HasFlag(FolderAttributes.Sent))?.FullName
            ?? conventionalNames.Select(name => folders.FirstOrDefault(f => f.FullName.Equals(name, StringComparison.OrdinalIgnoreCase))?.FullName)
                .FirstOrDefault(name => name is not null);
    }

    /// <summary>EXAMINEs <paramref name="folder"/> (no flag changes) and counts the messages whose <paramref name="header"/> contains <paramref name="value"/>.</summary>
    public async Task<int> SearchHeaderAsync(string folder, string header, string value)
    {
        var mailFolder = await _session.RunAsync("LIST", FetchSession<ImapClient>.ProtocolAllowance,
            token => ImapFolders.GetAsync(_session.Client, folder, token)).ConfigureAwait(false);
        await _session.RunAsync("EXAMINE", FetchSession<ImapClient>.ProtocolAllowance, token => mailFolder.OpenAsync(FolderAccess.ReadOnly, token)).ConfigureAwait(false);
        var found = await _session.RunAsync("UID SEARCH", FetchSession<ImapClient>.ProtocolAllowance * 4,
            token => mailFolder.SearchAsync(SearchQuery.HeaderContains(header, value), token)).ConfigureAwait(false);
        return found.Count;
    }

    public Task CloseAsync() => _session.CloseAsync(mustSucceed: false);

    public ValueTask DisposeAsync() => _session.DisposeAsync();
}
