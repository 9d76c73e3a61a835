using System.CommandLine;
using System.Net.Http.Json;
using System.Text.Json;
using TokenBroker.OAuth;
using TokenBroker.OAuth.Import;

namespace TokenBroker.Cli;

/// <summary>
/// The remote half of `tokenbroker import FILE --url URL`: the rows read from the file go to the running broker
/// (POST /api/mailboxes/import, "admin" on each mailbox) in parts of <see cref="ImportApi.MaxRows"/>; each row's
/// answer is printed as the local import prints it. Only the broker sees the tokens; nothing is printed of them.
/// </summary>
internal static class RemoteImportClient
{
    /// <returns>How many rows were imported, or null when the broker could not be asked (the sentence is written).</returns>
    public static async Task<int?> RunAsync(ParseResult result, BrokerConnection broker, IReadOnlyList<ImportedMailbox> rows, TextWriter output, CancellationToken cancellationToken)
    {
        var errors = result.InvocationConfiguration.Error;
        if (broker.BaseAddress(result) is not { } baseAddress)
        {
            await errors.WriteLineAsync($"--url '{result.GetValue(broker.Url)}' is not an http(s) address of the broker.");
            return null;
        }
        using var http = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromMinutes(5) };
        var imported = 0;
        try
        {
            foreach (var part in rows.Chunk(ImportApi.MaxRows))
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, "api/" + ImportApi.Route)
                {
                    Content = JsonContent.Create(part.Select(row => new Dictionary<string, string?>
                    {
                        ["address"] = row.Address,
                        ["refresh_token"] = row.RefreshToken,
                        ["client_id"] = row.ClientId,
                        ["tenant"] = row.Tenant,
                        ["protocols"] = MailScopes.Describe(row.Protocols).ToLowerInvariant(),
                        ["delegate"] = row.DelegateAddress,
                    }).ToArray()),
                };
                broker.Authorize(request, result);
                using var response = await http.SendAsync(request, cancellationToken);
                var text = await response.Content.ReadAsStringAsync(cancellationToken);
                if (!response.IsSuccessStatusCode)
                {
                    await errors.WriteLineAsync($"The broker refused ({(int)response.StatusCode}): {BrokerConnection.ProblemDetail(text) ?? text}{BrokerConnection.HintFor(response.StatusCode)}");
                    return null;
                }
                foreach (var row in JsonSerializer.Deserialize<ImportApi.Response>(text)!.Results)
                {
                    var address = row.Mailbox ?? part[row.Line - 1].Address;
                    if (row.Imported)
                    {
                        imported++;
                        await output.WriteLineAsync($"imported       {address} ({MailScopes.Describe(part[row.Line - 1].Protocols)})");
                    }
                    else
                    {
                        await output.WriteLineAsync($"needs consent  {address}: {row.Title}. {string.Join(" ", row.Detail)}");
                    }
                }
            }
            return imported;
        }
        catch (Exception e) when (e is HttpRequestException or JsonException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            await errors.WriteLineAsync($"Cannot reach the broker at {baseAddress}: {e.Message} ({imported} imported before that)");
            return null;
        }
    }
}
