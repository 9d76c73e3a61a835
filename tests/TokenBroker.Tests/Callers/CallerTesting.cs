using TokenBroker.Callers;

namespace TokenBroker.Tests.Callers;

internal static class CallerTesting
{
    /// <summary>Registers a client as `tokenbroker clients add` does; returns its secret.</summary>
    public static async Task<string> AddClientAsync(IClientRegistry registry, string name, string mailboxes, string can)
    {
        Assert.True(MailboxScope.TryParse(mailboxes, out var scope, out var scopeProblem), scopeProblem);
        Assert.True(CallerOperationNames.TryParse(can, out var operations, out var operationProblem), operationProblem);
        var (id, secret, hash) = ClientSecret.Create();
        await registry.AddAsync(new BrokerClient(id, name, hash, scope, operations, DateTimeOffset.UtcNow), TestContext.Current.CancellationToken);
        return secret;
    }
}
