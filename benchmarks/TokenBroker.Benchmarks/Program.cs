using System.Reflection;
using TokenBroker.Benchmarks;

// Every IBenchmark in this assembly is runnable by name; with no name, all run in turn.
var benchmarks = Assembly.GetExecutingAssembly().GetTypes()
    .Where(t => typeof(IBenchmark).IsAssignableFrom(t) && t is { IsAbstract: false, IsInterface: false })
    .Select(t => (IBenchmark)Activator.CreateInstance(t)!)
    .OrderBy(b => b.Name, StringComparer.Ordinal)
    .ToList();
var selected = args.Length == 0 ? benchmarks : benchmarks.Where(b => b.Name == args[0]).ToList();
if (selected.Count == 0)
{
    Console.Error.WriteLine($"Unknown benchmark '{args[0]}'. Known: {string.Join(", ", benchmarks.Select(b => b.Name))}");
    return 2;
}
using var cancel = new CancellationTokenSource(TimeSpan.FromMinutes(30));
foreach (var benchmark in selected)
{
    Console.WriteLine($"== {benchmark.Name}");
    await benchmark.RunAsync(args.Skip(1).ToArray(), cancel.Token);
}
return 0;
