using System.CommandLine;
using System.Net.Http.Headers;
using TokenBroker.Callers;

namespace TokenBroker.Cli;

/// <summary>
/// How CLI commands reach a running broker: its address and a credential, from --credential, else
/// TOKENBROKER_CREDENTIAL, else the cli.credential file `serve` wrote into the data folder (readable only by the
/// user the broker runs as, which is what makes the CLI "local").
/// </summary>
internal sealed class BrokerConnection
{
    public const string CredentialVariable = "TOKENBROKER_CREDENTIAL";

    public Option<string> Url { get; } = new("--url") { Description = "The running broker.", DefaultValueFactory = _ => "http://127.0.0.1:7071" };

    public Option<string?> Credential { get; } = new("--credential", "--admin-key")
    {
        Description = $"A client secret (or the master key) sent as a bearer; else {CredentialVariable}, else the data folder's {LocalCliCredential.FileName}.",
    };

    public Option<string?> FunctionKey { get; } = new("--function-key")
    {
        Description = "On Azure: a function key for the Functions host's own check (sent as x-functions-key); else TOKENBROKER_FUNCTION_KEY.",
    };

    public Option<string> DataDirectory { get; } = new("--data-dir")
    {
        Description = $"The standalone broker's data folder, where `serve` wrote {LocalCliCredential.FileName}.",
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable("Broker__DataDirectory") is { Length: > 0 } configured ? configured : ".data",
    };

    public void AddTo(Command command)
    {
        command.Options.Add(Url);
        command.Options.Add(Credential);
        command.Options.Add(FunctionKey);
        command.Options.Add(DataDirectory);
    }

    /// <summary>The broker's base address, or null when --url is not an http(s) address.</summary>
    public Uri? BaseAddress(ParseResult result) =>
        Uri.TryCreate(result.GetValue(Url), UriKind.Absolute, out var url) && url.Scheme is "http" or "https" ? url : null;

    public string? ResolveCredential(ParseResult result) =>
        result.GetValue(Credential) is { Length: > 0 } given ? given
        : Environment.GetEnvironmentVariable(CredentialVariable) is { Length: > 0 } fromEnvironment ? fromEnvironment
        : LocalCliCredential.TryRead(result.GetValue(DataDirectory)!);

    public void Authorize(HttpRequestMessage request, ParseResult result)
    {
        if (ResolveCredential(result) is { } credential)
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", credential);
        if ((result.GetValue(FunctionKey) ?? Environment.GetEnvironmentVariable("TOKENBROKER_FUNCTION_KEY")) is { Length: > 0 } functionKey)
            request.Headers.Add(CallerAuthenticator.FunctionsKeyHeader, functionKey);
    }

    /// <summary>" (how to give a credential)" after a 401 or 403; nothing after other answers.</summary>
    public static string HintFor(System.Net.HttpStatusCode status) =>
        status is System.Net.HttpStatusCode.Unauthorized or System.Net.HttpStatusCode.Forbidden ? $" ({RefusedHint})" : "";

    /// <summary>The "detail" sentence of a problem document; null when the answer is not one.</summary>
    public static string? ProblemDetail(string text)
    {
        try
        {
            using var document = System.Text.Json.JsonDocument.Parse(text);
            return document.RootElement.ValueKind == System.Text.Json.JsonValueKind.Object
                && document.RootElement.TryGetProperty("detail", out var detail) ? detail.GetString() : null;
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
    }

    private const string RefusedHint = "give a client secret with --credential (or TOKENBROKER_CREDENTIAL), or run where the broker's data folder is readable (--data-dir)";
}
