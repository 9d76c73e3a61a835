using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using TokenBroker.Callers;
using TokenBroker.Store;

using TokenBroker.Sqlite;

namespace TokenBroker.Cli;

/// <summary>
/// `tokenbroker clients add|list|remove`: manages the broker's callers directly in its store (the embedded data
/// folder, or Key Vault with the operator's Azure sign-in), configured like `serve` (appsettings.json, environment,
/// --Section:Key=value). Exit codes: 0 done, 1 refused (name taken, not found), 2 bad arguments or store unreachable.
/// </summary>
public static class ClientsCommand
{
    public static Command Create()
    {
        var command = new Command("clients", "Manage who may call the broker: each client gets a secret and a scope (mailboxes × operations).");
        command.Subcommands.Add(Add());
        command.Subcommands.Add(List());
        command.Subcommands.Add(Remove());
        return command;
    }

    private static Command Add()
    {
        var name = new Argument<string>("name") { Description = "A name for the caller, e.g. helpdesk (letters, digits, - _ .)." };
        var mailboxes = new Option<string>("--mailboxes") { Description = "Addresses, domains (*@contoso.com) or * for all, comma-separated.", Required = true };
        var can = new Option<string>("--can") { Description = $"Operations, comma-separated: {CallerOperationNames.Known}.", Required = true };
        var secretFile = new Option<FileInfo?>("--secret-file") { Description = "Write the secret to this new file (mode 0600) instead of printing it." };
        var entraObjectId = new Option<Guid?>("--entra-object-id")
        {
            Description = "Instead of a secret: the object id of the app or managed identity whose Entra ID tokens identify this client (needs Callers:EntraAudience).",
        };
        var command = new Command("add", "Create a client and show its secret once (only its hash is kept).") { name, mailboxes, can, secretFile, entraObjectId };
        command.TreatUnmatchedTokensAsErrors = false;
        command.SetAction(async (result, cancellationToken) =>
        {
            var errors = result.InvocationConfiguration.Error;
            var output = result.InvocationConfiguration.Output;
            var clientName = result.GetValue(name)!;
            if (!BrokerClient.IsValidName(clientName))
                return Fail(errors, $"'{clientName}' is not a client name: use up to {BrokerClient.MaxNameLength} letters, digits, '-', '_' or '.'.");
            if (!MailboxScope.TryParse(result.GetValue(mailboxes), out var scope, out var scopeProblem)) return Fail(errors, "--mailboxes: " + scopeProblem);
            if (!CallerOperationNames.TryParse(result.GetValue(can), out var operations, out var operationProblem)) return Fail(errors, "--can: " + operationProblem);

            return await WithRegistryAsync(result, errors, async registry =>
            {
                var (id, secret, hash) = ClientSecret.Create();
                var objectId = result.GetValue(entraObjectId)?.ToString();
                try
                {
                    await registry.AddAsync(new BrokerClient(id, clientName, objectId is null ? hash : "", scope, operations, DateTimeOffset.UtcNow)
                    {
                        EntraObjectId = objectId,
                    }, cancellationToken);
                }
                catch (ClientRegistryException e)
                {
                    await errors.WriteLineAsync(e.Message);
                    return 1;
                }
                await output.WriteLineAsync($"Client '{clientName}' may {CallerOperationNames.Describe(operations)} for {scope}.");
                if (objectId is not null)
                    await output.WriteLineAsync($"It signs in with Entra ID access tokens issued to object id {objectId} for the audience in Callers:EntraAudience; it has no secret.");
                else if (result.GetValue(secretFile) is { } file)
                {
                    PrivateFiles.WriteNew(file.FullName, secret + "\n");
                    await output.WriteLineAsync($"Its secret is in {file.FullName} (mode 0600); the broker keeps only its hash.");
                }
                else
                {
                    await output.WriteLineAsync("Its secret, shown only now (the broker keeps only its hash); send it as 'Authorization: Bearer <secret>':");
                    await output.WriteLineAsync(secret);
                }
                return 0;
            });
        });
        return command;
    }

    private static Command List()
    {
        var command = new Command("list", "List the clients with their scopes (never a secret).");
        command.TreatUnmatchedTokensAsErrors = false;
        command.SetAction(async (result, cancellationToken) =>
        {
            var output = result.InvocationConfiguration.Output;
            return await WithRegistryAsync(result, result.InvocationConfiguration.Error, async registry =>
            {
                var clients = await registry.ListAsync(cancellationToken);
                if (clients.Count == 0) await output.WriteLineAsync("No clients yet: create one with `tokenbroker clients add NAME --mailboxes ... --can ...`.");
                foreach (var client in clients)
                    await output.WriteLineAsync($"{client.Name,-24} {CallerOperationNames.Describe(client.Operations),-28} {client.Mailboxes}  (created {client.CreatedAt:yyyy-MM-dd}" +
                        (client.EntraObjectId is null ? ")" : $", Entra object id {client.EntraObjectId})"));
                return 0;
            });
        });
        return command;
    }

    private static Command Remove()
    {
        var name = new Argument<string>("name") { Description = "The client to remove; its secret stops working." };
        var command = new Command("remove", "Remove a client (on Key Vault, running brokers notice within a minute).") { name };
        command.TreatUnmatchedTokensAsErrors = false;
        command.SetAction(async (result, cancellationToken) =>
        {
            var errors = result.InvocationConfiguration.Error;
            return await WithRegistryAsync(result, errors, async registry =>
            {
                if (await registry.RemoveAsync(result.GetValue(name)!, cancellationToken))
                {
                    await result.InvocationConfiguration.Output.WriteLineAsync($"Client '{result.GetValue(name)}' removed.");
                    return 0;
                }
                await errors.WriteLineAsync($"No client is named '{result.GetValue(name)}' (`tokenbroker clients list` shows them).");
                return 1;
            });
        });
        return command;
    }

    private static async Task<int> WithRegistryAsync(ParseResult result, TextWriter errors, Func<IClientRegistry, Task<int>> work)
    {
        try
        {
            var configuration = LocalBroker.Configuration(result);
            var services = new ServiceCollection()
                .AddSingleton(TimeProvider.System)
                .AddTokenStore(configuration)
                .AddCallers();
            await using var provider = services.BuildServiceProvider();
            return await work(provider.GetRequiredService<IClientRegistry>());
        }
        catch (Exception e) when (e is InvalidOperationException or IOException or UnauthorizedAccessException or Azure.RequestFailedException
                                      or Azure.Identity.AuthenticationFailedException or Microsoft.Extensions.Options.OptionsValidationException)
        {
            await errors.WriteLineAsync($"Cannot reach the client registry: {e.Message}");
            return 2;
        }
    }

    private static int Fail(TextWriter errors, string sentence)
    {
        errors.WriteLine(sentence);
        return 2;
    }
}
