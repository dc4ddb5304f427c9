using System.Diagnostics;

namespace DeepLite.Onnx;

/// <summary>Latencies of one model in ONNX Runtime, in milliseconds of wall-clock time.</summary>
/// <param name="Threads">Intra-op threads of the session.</param>
/// <param name="SessionCreateMs">Creating the session: parsing, graph optimization, weight prepacking.</param>
/// <param name="FirstRunMs">The first run after creation (lazy initialization included).</param>
/// <param name="Runs">How many timed runs the statistics cover (after the warmup).</param>
/// <param name="MedianMs">Median of the timed runs (mean of the two middle ones for an even count).</param>
/// <param name="P90Ms">90th percentile of the timed runs (nearest rank).</param>
/// <param name="MinMs">Fastest timed run.</param>
public sealed record OnnxTimingResult(int Threads, double SessionCreateMs, double FirstRunMs, int Runs, double MedianMs, double P90Ms, double MinMs)
{
    public override string ToString() =>
        $"threads {Threads}: create {SessionCreateMs:F1} ms, first run {FirstRunMs:F2} ms, median {MedianMs:F3} ms, p90 {P90Ms:F3} ms, min {MinMs:F3} ms over {Runs} runs";
}

/// <summary>Times ONNX Runtime sessions: creation, first run, then <c>warmup</c> untimed and <c>runs</c> timed runs.</summary>
public static class OnnxTiming
{
    /// <summary>Creates a session on <paramref name="modelBytes"/>, feeds <paramref name="inputs"/> (one byte array per
    /// input, see <see cref="OnnxRunner.Run(IReadOnlyList{byte[]})"/>) and times the runs.</summary>
    public static OnnxTimingResult Measure(byte[] modelBytes, IReadOnlyList<byte[]> inputs, int threads = 1, int warmup = 10, int runs = 50)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(warmup);
        ArgumentOutOfRangeException.ThrowIfLessThan(runs, 1);
        long start = Stopwatch.GetTimestamp();
        using var runner = new OnnxRunner(modelBytes, threads);
        double createMs = Stopwatch.GetElapsedTime(start).TotalMilliseconds;

        start = Stopwatch.GetTimestamp();
        runner.Run(inputs);
        double firstRunMs = Stopwatch.GetElapsedTime(start).TotalMilliseconds;

        for (int i = 0; i < warmup; i++) runner.RunInPlace();
        var times = new double[runs];
        for (int i = 0; i < runs; i++)
        {
            start = Stopwatch.GetTimestamp();
            runner.RunInPlace();
            times[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        }
        Array.Sort(times);
        double median = runs % 2 == 1 ? times[runs / 2] : (times[(runs / 2) - 1] + times[runs / 2]) / 2;
        double p90 = times[(int)Math.Ceiling(0.9 * runs) - 1];
        return new OnnxTimingResult(threads, createMs, firstRunMs, runs, median, p90, times[0]);
    }
}
