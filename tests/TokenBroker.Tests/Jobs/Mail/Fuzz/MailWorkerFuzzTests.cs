using System.Diagnostics;
using TokenBroker.Jobs.Mail;
using TokenBroker.Tests.Jobs.Fetch.Support;
using TokenBroker.Tests.Jobs.Mail.Support;

namespace TokenBroker.Tests.Jobs.Mail.Fuzz;

/// <summary>
/// The queue schema through the mail worker: thousands of random and mutated queue messages (fixed seed, bounded time).
/// None crashes the worker or is left to the queue's retries: each ends as mail.failed with a reason and a copy on the
/// poison output. (The requests name no registered mailbox, so a valid one is refused for that, after validation.)
/// </summary>
public sealed class MailWorkerFuzzTests
{
    private const int Seed = 5;
    private const int Cases = 5000;
    private static readonly TimeSpan TimeBudget = TimeSpan.FromSeconds(120);
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Random_and_mutated_queue_messages_are_poisoned_with_a_reason_and_never_crash_the_worker()
    {
        await using var harness = await FetchHarness.CreateAsync();
        var mutator = new MailRequestMutator(Seed);
        var clock = Stopwatch.StartNew();
        var done = 0;
        for (; done < Cases && clock.Elapsed < TimeBudget; done++)
        {
            var message = mutator.Next();
            TokenBroker.Jobs.InvocationOutputs context;
            try
            {
                context = await MailWorkerInvocation.RunAsync(harness.Services, message, Ct);
            }
            catch (Exception crash) when (crash is not OperationCanceledException)
            {
                Assert.Fail($"Case {done} (seed {Seed}) crashed the worker, so the queue would retry it: {crash}\nMessage: {message}");
                throw;
            }
            var failed = Assert.Single(MailJobsHarness.Outputs(context, MailEvents.OutputBinding));
            Assert.Equal("mail.failed", failed.GetProperty("type").GetString());
            Assert.False(string.IsNullOrWhiteSpace(failed.GetProperty("reason").GetString()), $"Case {done}: mail.failed without a reason\nMessage: {message}");
            Assert.Single(MailJobsHarness.Outputs(context, MailEvents.PoisonBinding));
        }
        TestContext.Current.TestOutputHelper?.WriteLine($"{done} cases in {clock.Elapsed.TotalSeconds:0.0} s");
        Assert.True(done >= 1000, $"only {done} cases ran within {TimeBudget}");
    }
}
