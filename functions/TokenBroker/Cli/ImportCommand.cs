using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using TokenBroker.OAuth;
using TokenBroker.OAuth.Import;

namespace TokenBroker.Cli;

/// <summary>
/// `tokenbroker import FILE [--format json|csv]`: connects the mailboxes whose refresh tokens another tool holds
/// (format: docs/import.md). Each row is redeemed, checked like a consent and stored in the broker's store (run it
/// where `serve` runs, configured alike; or, with --url, by that running broker, "admin" on each mailbox); one line per
/// mailbox says imported or why it needs consent. A progress
/// line goes to stderr on a terminal only. The file and its tokens are never printed or logged.
/// Exit codes: 0 every row imported, 1 some need consent, 2 the file or the configuration is unusable.
/// </summary>
internal static class ImportCommand
{
    public static Command Create()
    {
        var file = new Argument<FileInfo>("file") { Description = "JSON array or CSV with address, refresh_token, client_id, tenant[, protocols, delegate]." };
        var format = new Option<string?>("--format") { Description = "json or csv (default: by the file's extension, else json)." };
        var broker = new BrokerConnection();
        var command = new Command("import", "Connect mailboxes from refresh tokens another tool already holds (redeemed and checked like a consent).") { file, format };
        broker.AddTo(command);
        command.TreatUnmatchedTokensAsErrors = false;
        command.SetAction(async (result, cancellationToken) =>
        {
            var output = result.InvocationConfiguration.Output;
            var errors = result.InvocationConfiguration.Error;
            var path = result.GetValue(file)!.FullName;
            IReadOnlyList<ImportedMailbox> rows;
            IReadOnlyList<ImportRowProblem> problems;
            try
            {
                (rows, problems) = await ImportFile.ReadAsync(path, ImportFile.FormatOf(path, result.GetValue(format)), cancellationToken);
            }
            catch (ImportFileException e)
            {
                await errors.WriteLineAsync(e.Message);
                return 2;
            }

            foreach (var problem in problems)
                await output.WriteLineAsync($"needs consent  {problem.Address ?? "(line " + problem.Line + ")"}: line {problem.Line}: {problem.Reason}");
            // --url given: the running broker imports (any machine, a client with "admin" on the mailboxes).
            var imported = result.GetResult(broker.Url) is { Implicit: false }
                ? await RemoteImportClient.RunAsync(result, broker, rows, output, cancellationToken)
                : await ImportLocallyAsync(result, rows, output, errors, cancellationToken);
            if (imported is null) return 2;
            var total = rows.Count + problems.Count;
            await output.WriteLineAsync($"{imported} of {total} mailboxes imported; {total - imported} need consent.");
            return imported == total ? 0 : 1;
        });
        return command;
    }

    /// <returns>How many rows were imported, or null when the store or the OAuth settings cannot be used (the sentence is written).</returns>
    private static async Task<int?> ImportLocallyAsync(ParseResult result, IReadOnlyList<ImportedMailbox> rows, TextWriter output, TextWriter errors, CancellationToken cancellationToken)
    {
        var imported = 0;
        try
        {
            await using var services = LocalBroker.Open(result);
            var import = services.GetRequiredService<RefreshTokenImport>();
            var progress = new ImportProgress(errors, rows.Count);
            foreach (var row in rows)
            {
                progress.Show(row.Address);
                var outcome = await import.ImportAsync(row, cancellationToken);
                progress.Clear();
                if (outcome.Succeeded)
                {
                    imported++;
                    await output.WriteLineAsync($"imported       {row.Address} ({MailScopes.Describe(row.Protocols)})");
                }
                else
                {
                    await output.WriteLineAsync($"needs consent  {row.Address}: {outcome.Title}. {string.Join(" ", outcome.Paragraphs)}");
                }
            }
            return imported;
        }
        catch (Exception e) when (LocalBroker.IsConfigurationProblem(e))
        {
            await errors.WriteLineAsync("Cannot open the broker's store or OAuth settings: " + LocalBroker.Describe(e));
            return null;
        }
    }

    /// <summary>"[3/40] helpdesk@contoso.com" rewritten in place on stderr, only when stderr is a terminal (never in logs or pipes).</summary>
    private sealed class ImportProgress(TextWriter errors, int total)
    {
        private readonly bool _enabled = !Console.IsErrorRedirected;
        private int _done;

        public void Show(string address)
        {
            if (!_enabled) return;
            errors.Write($"\r\u001b[K[{++_done}/{total}] {address}");
        }

        public void Clear()
        {
            if (_enabled) errors.Write("\r\u001b[K");
        }
    }
}
