using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using TokenBroker.Hosting;
using TokenBroker.Hosting.Functions;
using TokenBroker.Tests.Hosting.Support;

namespace TokenBroker.Tests.Jobs.Mail.Fuzz;

/// <summary>
/// POST /api/mail on the standalone host with thousands of random and mutated requests (fixed seed, bounded time):
/// every answer is 202, or 400 with at least one sentence; never a 5xx.
/// </summary>
public sealed class MailApiFuzzTests
{
    private const int Seed = 12;
    private const int Cases = 5000;
    private static readonly TimeSpan TimeBudget = TimeSpan.FromSeconds(90);
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Random_and_mutated_requests_are_answered_202_or_400_with_a_sentence_never_5xx()
    {
        var sinkRoot = Directory.CreateTempSubdirectory("tokenbroker-fuzz-sinks-").FullName;
        await using var broker = await RunningBroker.StartAsync(HostingMode.Standalone, FunctionCatalog.ForTypes([typeof(TokenBroker.Functions.EnqueueMailFunction)]),
            settings: new Dictionary<string, string>
            {
                ["Sinks:Webhooks:helpdesk:Url"] = "https://helpdesk.example.com/pipe",
                ["Sinks:Webhooks:helpdesk:Secret"] = "whsec_ZnV6ei10ZXN0LXNpbmstc2VjcmV0LTMyLWJ5dGVz",
                ["Sinks:Maildirs:archive:Root"] = sinkRoot,
            });
        var mutator = new MailRequestMutator(Seed);
        var answers = new Dictionary<int, int>();
        var clock = Stopwatch.StartNew();
        var done = 0;
        for (; done < Cases && clock.Elapsed < TimeBudget; done++)
        {
            var request = mutator.Next();
            using var content = new StringContent(request, Encoding.UTF8, "application/json");
            using var response = await broker.Client.PostAsync("/api/mail", content, Ct);
            var status = (int)response.StatusCode;
            answers[status] = answers.GetValueOrDefault(status) + 1;
            var body = await response.Content.ReadAsStringAsync(Ct);
            Assert.True(status is 202 or 400, $"Case {done} (seed {Seed}) answered {status}: {body}\nRequest: {request}");
            if (response.StatusCode == HttpStatusCode.BadRequest)
            {
                using var problems = JsonDocument.Parse(body);
                var sentences = problems.RootElement.GetProperty("problems").EnumerateArray().Select(p => p.GetString()).ToList();
                Assert.True(sentences.Count > 0 && sentences.All(s => !string.IsNullOrWhiteSpace(s)), $"Case {done}: a 400 without a sentence: {body}\nRequest: {request}");
            }
        }
        TestContext.Current.TestOutputHelper?.WriteLine($"{done} cases in {clock.Elapsed.TotalSeconds:0.0} s: " +
            string.Join(", ", answers.OrderBy(a => a.Key).Select(a => $"{a.Key}×{a.Value}")));
        Assert.True(done >= 1000, $"only {done} cases ran within {TimeBudget}");
        Directory.Delete(sinkRoot, recursive: true);
    }
}
