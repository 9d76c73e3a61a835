namespace TokenBroker.Benchmarks;

/// <summary>One end-to-end throughput measurement against real peers; it prints its own figures.</summary>
public interface IBenchmark
{
    /// <summary>The name given on the command line: dotnet run --project benchmarks/TokenBroker.Benchmarks -c Release -- NAME.</summary>
    string Name { get; }

    Task RunAsync(string[] args, CancellationToken cancellationToken);
}
