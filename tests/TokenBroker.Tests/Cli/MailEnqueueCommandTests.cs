using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using TokenBroker.Hosting.Functions;
using TokenBroker.Cli;
using TokenBroker.Hosting;
using TokenBroker.Jobs.Mail;
using TokenBroker.Queues;
using TokenBroker.Tests.Hosting.Support;

namespace TokenBroker.Tests.Cli;

/// <summary>`tokenbroker mail enqueue` against a running broker's POST /api/mail.</summary>
public sealed class MailEnqueueCommandTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task<(int ExitCode, string Output, string Error)> RunAsync(params string[] args)
    {
        var root = new RootCommand { new Command("mail") { MailEnqueueCommand.Create() } };
        var output = new StringWriter();
        var error = new StringWriter();
        var exitCode = await root.Parse(args).InvokeAsync(new InvocationConfiguration { Output = output, Error = error }, Ct);
        return (exitCode, output.ToString(), error.ToString());
    }

    private static async Task<string> RequestFileAsync(string json)
    {
        var path = Path.GetTempFileName();
        await File.WriteAllTextAsync(path, json, Ct);
        return path;
    }

    [Fact]
    public async Task A_valid_request_is_queued_and_its_id_printed()
    {
        await using var broker = await RunningBroker.StartAsync(HostingMode.Standalone, FunctionCatalog.ForTypes([typeof(TokenBroker.Functions.EnqueueMailFunction)]));
        var file = await RequestFileAsync("""{"version":1,"kind":"send","id":"cli-1","from":"a@contoso.com","to":["b@example.com"],"text":"hi"}""");

        var (exitCode, output, error) = await RunAsync("mail", "enqueue", "--file", file, "--url", broker.Client.BaseAddress!.ToString(), "--data-dir", broker.DataDirectory);

        Assert.True(exitCode == 0, error);
        Assert.Equal("Queued send request cli-1.", output.Trim());
        Assert.Equal(1, await broker.Services.GetRequiredService<IQueueTransport>().GetApproximateCountAsync("mail-requests", Ct));
    }

    [Fact]
    public async Task An_invalid_request_exits_1_listing_every_problem()
    {
        await using var broker = await RunningBroker.StartAsync(HostingMode.Standalone, FunctionCatalog.ForTypes([typeof(TokenBroker.Functions.EnqueueMailFunction)]));
        var file = await RequestFileAsync("""{"version":1,"kind":"send","id":"cli 2","from":"a@contoso.com","to":[],"text":"hi"}""");

        var (exitCode, _, error) = await RunAsync("mail", "enqueue", "--file", file, "--url", broker.Client.BaseAddress!.ToString(), "--data-dir", broker.DataDirectory);

        Assert.Equal(1, exitCode);
        Assert.Contains("  - The id must be", error);
        Assert.Contains("  - The request has no recipient", error);
    }

    [Fact]
    public async Task Without_a_credential_the_call_is_refused_with_exit_2_and_a_hint()
    {
        await using var broker = await RunningBroker.StartAsync(HostingMode.Standalone, FunctionCatalog.ForTypes([typeof(TokenBroker.Functions.EnqueueMailFunction)]));
        var file = await RequestFileAsync("""{"version":1,"kind":"send","id":"cli-4","from":"a@contoso.com","to":["b@example.com"],"text":"hi"}""");
        var elsewhere = Directory.CreateTempSubdirectory("no-credential-").FullName;

        var (exitCode, _, error) = await RunAsync("mail", "enqueue", "--file", file, "--url", broker.Client.BaseAddress!.ToString(), "--data-dir", elsewhere);

        Assert.Equal(2, exitCode);
        Assert.Contains("--credential", error);
        Assert.Equal(0, await broker.Services.GetRequiredService<IQueueTransport>().GetApproximateCountAsync("mail-requests", Ct));
    }

    [Fact]
    public async Task An_unreachable_broker_exits_2_naming_the_address()
    {
        var file = await RequestFileAsync("""{"version":1,"kind":"send","id":"cli-3","from":"a@contoso.com","to":["b@example.com"],"text":"hi"}""");

        var (exitCode, _, error) = await RunAsync("mail", "enqueue", "--file", file, "--url", "http://127.0.0.1:1");

        Assert.Equal(2, exitCode);
        Assert.Contains("Cannot reach the broker at http://127.0.0.1:1/", error);
    }
}
