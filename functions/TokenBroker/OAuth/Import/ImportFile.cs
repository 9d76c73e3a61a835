using System.Text;
using System.Text.Json;
using TokenBroker.Store;

namespace TokenBroker.OAuth.Import;

public enum ImportFormat
{
    Json,
    Csv,
}

/// <summary>
/// Reads an import file (format in docs/import.md): a JSON array of objects, or CSV with a header row, with the
/// fields address, refresh_token, client_id, tenant and optionally protocols and delegate. Bounded: at most
/// <see cref="MaxBytes"/>, <see cref="MaxRows"/> rows and <see cref="MaxTokenLength"/> characters per token. A bad row
/// becomes a problem for the report; the rest still import. Nothing here logs.
/// </summary>
public static class ImportFile
{
    public const int MaxBytes = 4 * 1024 * 1024;
    public const int MaxRows = 5000;
    public const int MaxTokenLength = 16 * 1024;
    private const string DefaultProtocols = "imap,smtp";
    private static readonly string[] Fields = ["address", "refresh_token", "client_id", "tenant", "protocols", "delegate"];

    public static ImportFormat FormatOf(string path, string? given) =>
        given?.ToLowerInvariant() switch
        {
            "json" => ImportFormat.Json,
            "csv" => ImportFormat.Csv,
            null or "" => Path.GetExtension(path).Equals(".csv", StringComparison.OrdinalIgnoreCase) ? ImportFormat.Csv : ImportFormat.Json,
            _ => throw new ImportFileException($"--format must be json or csv, not '{given}'."),
        };

    public static async Task<(IReadOnlyList<ImportedMailbox> Rows, IReadOnlyList<ImportRowProblem> Problems)> ReadAsync(
        string path, ImportFormat format, CancellationToken cancellationToken = default)
    {
        var info = new FileInfo(path);
        if (!info.Exists) throw new ImportFileException($"The import file '{path}' does not exist.");
        if (info.Length > MaxBytes) throw new ImportFileException($"The import file is {info.Length:N0} bytes; at most {MaxBytes:N0} are read (split it).");
        var text = await File.ReadAllTextAsync(path, Encoding.UTF8, cancellationToken).ConfigureAwait(false);
        return Parse(text, format, MaxRows);
    }

    /// <summary>The rows of an import file's text (also the body of POST /api/mailboxes/import, JSON, at most <paramref name="maxRows"/>).</summary>
    public static (IReadOnlyList<ImportedMailbox> Rows, IReadOnlyList<ImportRowProblem> Problems) Parse(string text, ImportFormat format, int maxRows)
    {
        var records = format == ImportFormat.Json ? ReadJson(text, maxRows) : ReadCsv(text, maxRows);
        if (records.Count > maxRows) throw new ImportFileException($"The import file has more than {maxRows:N0} rows; at most {maxRows:N0} are imported at once (split it).");
        var rows = new List<ImportedMailbox>();
        var problems = new List<ImportRowProblem>();
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (line, fields) in records)
        {
            var row = ToRow(line, fields, out var problem);
            if (row is not null && !seen.Add(row.Address))
                problem = new ImportRowProblem(line, row.Address, "the mailbox appears more than once in the file; only its first row is imported.");
            if (problem is not null) problems.Add(problem);
            else rows.Add(row!);
        }
        return (rows, problems);
    }

    private static ImportedMailbox? ToRow(int line, IReadOnlyDictionary<string, string?> fields, out ImportRowProblem? problem)
    {
        string? Field(string name) => fields.TryGetValue(name, out var value) && !string.IsNullOrWhiteSpace(value) ? value.Trim() : null;
        problem = null;
        if (!AddressInput.TryNormalize(Field("address"), out var address, out var addressError))
        {
            problem = new(line, null, addressError);
            return null;
        }
        var token = Field("refresh_token");
        if (token is null || token.Length > MaxTokenLength || token.Any(char.IsWhiteSpace))
        {
            problem = new(line, address, token is null ? "the refresh_token is missing." : $"the refresh_token is not a single token of at most {MaxTokenLength} characters.");
            return null;
        }
        if (!MailScopes.TryParseProtocols(Field("protocols") ?? DefaultProtocols, out var protocols, out var protocolError))
        {
            problem = new(line, address, protocolError!);
            return null;
        }
        string? delegateAddress = null;
        if (Field("delegate") is { } givenDelegate && !AddressInput.TryNormalize(givenDelegate, out delegateAddress, out var delegateError))
        {
            problem = new(line, address, "delegate: " + delegateError);
            return null;
        }
        var tenant = Field("tenant");
        if (tenant is not null && !ConsentApi.IsTenantName(tenant))
        {
            problem = new(line, address, "the tenant must be a tenant id (GUID) or a domain name.");
            return null;
        }
        return new ImportedMailbox(line, address, token, Field("client_id"), tenant, protocols, delegateAddress);
    }

    private static List<(int Line, IReadOnlyDictionary<string, string?> Fields)> ReadJson(string text, int maxRows)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(text, new JsonDocumentOptions { MaxDepth = 4 });
        }
        catch (JsonException e)
        {
            throw new ImportFileException($"The import file is not JSON (line {e.LineNumber + 1}): give a JSON array of objects, or --format csv.");
        }
        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Array)
                throw new ImportFileException("The import file must be a JSON array of objects ([{\"address\": ..., \"refresh_token\": ...}, ...]).");
            var records = new List<(int, IReadOnlyDictionary<string, string?>)>();
            var index = 0;
            foreach (var element in document.RootElement.EnumerateArray())
            {
                index++;
                if (records.Count > maxRows) break;
                var fields = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
                if (element.ValueKind == JsonValueKind.Object)
                {
                    foreach (var property in element.EnumerateObject())
                        if (Fields.Contains(property.Name, StringComparer.OrdinalIgnoreCase))
                            fields[property.Name] = property.Value.ValueKind switch
                            {
                                JsonValueKind.String => property.Value.GetString(),
                                JsonValueKind.Array => string.Join(",", property.Value.EnumerateArray().Select(v => v.ToString())),
                                _ => null,
                            };
                }
                records.Add((index, fields));
            }
            return records;
        }
    }

    /// <summary>RFC 4180 CSV: a header row naming the fields, quoted values may hold commas, quotes doubled.</summary>
    private static List<(int Line, IReadOnlyDictionary<string, string?> Fields)> ReadCsv(string text, int maxRows)
    {
        var lines = CsvRecords(text).ToList();
        if (lines.Count == 0) throw new ImportFileException("The import file is empty: the first CSV line must name the columns (address,refresh_token,client_id,tenant,protocols,delegate).");
        var header = lines[0].Values.Select(h => h.Trim().ToLowerInvariant()).ToArray();
        if (!header.Contains("address") || !header.Contains("refresh_token"))
            throw new ImportFileException("The first CSV line must name the columns, at least address and refresh_token (then client_id, tenant, protocols, delegate).");
        var records = new List<(int, IReadOnlyDictionary<string, string?>)>();
        foreach (var (line, values) in lines.Skip(1))
        {
            if (values.All(string.IsNullOrWhiteSpace)) continue;
            if (records.Count > maxRows) break;
            var fields = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
            for (var i = 0; i < header.Length && i < values.Count; i++) fields[header[i]] = values[i];
            records.Add((line, fields));
        }
        return records;
    }

    private static IEnumerable<(int Line, List<string> Values)> CsvRecords(string text)
    {
        var values = new List<string>();
        var field = new StringBuilder();
        var quoted = false;
        var line = 1;
        var recordLine = 1;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < text.Length && text[i + 1] == '"') { field.Append('"'); i++; }
                else if (c == '"') quoted = false;
                else { if (c == '\n') line++; field.Append(c); }
                continue;
            }
            switch (c)
            {
                case '"': quoted = true; break;
                case ',': values.Add(field.ToString()); field.Clear(); break;
                case '\r': break;
                case '\n':
                    values.Add(field.ToString()); field.Clear();
                    yield return (recordLine, values);
                    values = [];
                    recordLine = ++line;
                    break;
                default: field.Append(c); break;
            }
        }
        if (field.Length > 0 || values.Count > 0)
        {
            values.Add(field.ToString());
            yield return (recordLine, values);
        }
    }
}
