using System.CommandLine;
using TokenBroker.Callers;
using TokenBroker.Cli;

namespace TokenBroker.Tests.Cli;

/// <summary>`tokenbroker clients add|list|remove` on the embedded store of a data folder.</summary>
public sealed class ClientsCommandTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task<(int Exit, string Output, string Error)> RunAsync(string dataDirectory, params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var exit = await new RootCommand { ClientsCommand.Create() }
            .Parse(["clients", .. args, "--TokenStore:Kind=Embedded", $"--Broker:DataDirectory={dataDirectory}"])
            .InvokeAsync(new InvocationConfiguration { Output = output, Error = error }, Ct);
        return (exit, output.ToString(), error.ToString());
    }

    private static string NewDataDirectory() => Directory.CreateTempSubdirectory("clients-cli-").FullName;

    [Fact]
    public async Task Add_prints_the_secret_once_and_keeps_only_its_hash()
    {
        var data = NewDataDirectory();

        var (exit, output, error) = await RunAsync(data, "add", "helpdesk", "--mailboxes", "helpdesk@contoso.com,*@support.contoso.com", "--can", "send,fetch");

        Assert.True(exit == 0, error);
        var secret = output.Split('\n', StringSplitOptions.TrimEntries).Single(line => line.StartsWith("tbc_", StringComparison.Ordinal));
        Assert.Contains("may send,fetch for helpdesk@contoso.com,*@support.contoso.com", output);
        var stored = await File.ReadAllBytesAsync(Path.Combine(data, "clients.db"), Ct);
        Assert.DoesNotContain(secret[^20..], System.Text.Encoding.UTF8.GetString(stored));
    }

    [Fact]
    public async Task The_clients_database_is_readable_only_by_its_user()
    {
        var data = NewDataDirectory();

        await RunAsync(data, "add", "helpdesk", "--mailboxes", "*", "--can", "status");

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(data, "clients.db")));
    }

    [Fact]
    public async Task Add_with_a_secret_file_writes_it_0600_and_does_not_print_it()
    {
        var data = NewDataDirectory();
        var file = Path.Combine(data, "helpdesk.secret");

        var (exit, output, _) = await RunAsync(data, "add", "helpdesk", "--mailboxes", "*", "--can", "send", "--secret-file", file);

        Assert.Equal(0, exit);
        Assert.DoesNotContain("tbc_", output);
        Assert.StartsWith("tbc_", await File.ReadAllTextAsync(file, Ct));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
    }

    [Fact]
    public async Task A_second_client_with_the_same_name_is_refused()
    {
        var data = NewDataDirectory();
        await RunAsync(data, "add", "helpdesk", "--mailboxes", "*", "--can", "send");

        var (exit, _, error) = await RunAsync(data, "add", "HELPDESK", "--mailboxes", "*", "--can", "fetch");

        Assert.Equal(1, exit);
        Assert.Contains("already exists", error);
    }

    [Theory]
    [InlineData("--mailboxes", "*@", "--can", "send", "is not a domain pattern")]
    [InlineData("--mailboxes", "not-an-address", "--can", "send", "is not a mailbox address")]
    [InlineData("--mailboxes", "*", "--can", "send,teleport", "'teleport' is not an operation")]
    public async Task Add_refuses_a_bad_scope_with_a_sentence_and_exit_2(string o1, string v1, string o2, string v2, string expected)
    {
        var (exit, _, error) = await RunAsync(NewDataDirectory(), "add", "x", o1, v1, o2, v2);

        Assert.Equal(2, exit);
        Assert.Contains(expected, error);
    }

    [Fact]
    public async Task List_shows_names_and_scopes_but_no_secret_and_remove_deletes()
    {
        var data = NewDataDirectory();
        var (_, added, _) = await RunAsync(data, "add", "printer", "--mailboxes", "scanner@contoso.com", "--can", "send");

        var (_, listed, _) = await RunAsync(data, "list");
        var (removedExit, _, _) = await RunAsync(data, "remove", "printer");
        var (_, afterwards, _) = await RunAsync(data, "list");

        Assert.Contains("printer", listed);
        Assert.Contains("scanner@contoso.com", listed);
        Assert.DoesNotContain("tbc_", listed);
        Assert.Equal(0, removedExit);
        Assert.DoesNotContain("printer", afterwards);
    }

    [Fact]
    public async Task A_client_added_by_the_cli_authenticates_against_the_same_registry()
    {
        var data = NewDataDirectory();
        var (_, output, _) = await RunAsync(data, "add", "app", "--mailboxes", "a@contoso.com", "--can", "send");
        var secret = output.Split('\n', StringSplitOptions.TrimEntries).Single(line => line.StartsWith("tbc_", StringComparison.Ordinal));
        using var registry = new SqliteClientRegistry(data);

        Assert.True(ClientSecret.TryParse(secret, out var id, out var random));
        var client = await registry.FindByIdAsync(id, Ct);

        Assert.NotNull(client);
        Assert.True(ClientSecret.Matches(random, client.SecretHash));
        Assert.True(new Caller(client.Name, client.Mailboxes, client.Operations).May(CallerOperations.Send, "A@contoso.com"));
    }
}
