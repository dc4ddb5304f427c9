using System.Runtime.InteropServices;
using DeepLite.Cli.Benchmarking;

namespace DeepLite.Benchmarks.Peers;

/// <summary>DeepLite itself, measured in this process exactly as <c>deeplite bench</c> measures it.</summary>
internal sealed class DeepLiteEngine : IPeerEngine
{
    public string Name => "DeepLite";

    public string? WhyUnavailable() => null;

    public PeerTiming Measure(PeerRun run)
    {
        var result = ModelBenchmark.Run(new ModelBenchmarkSettings(run.ModelPath, run.Threads, run.Runs, run.Warmup, run.Seed));
        return new PeerTiming(result.Latency.Median, result.Latency.P90, $"in-process, {RuntimeInformation.FrameworkDescription}");
    }
}
