namespace DeepLite.Cli.Benchmarking;

/// <summary>
/// Order statistics of latency samples, in milliseconds, defined as the tflite-oracle defines them
/// (<c>run.mjs</c>) so that DeepLite's and TensorFlow Lite's figures compare like for like:
/// with the n samples sorted ascending, <c>Median</c> is the middle sample (the mean of the two middle
/// ones when n is even) and <c>P90 = sorted[min(n − 1, ⌊0.9 · n⌋)]</c>. Hence
/// <c>Min ≤ Median ≤ P90 ≤ Max</c> for every n ≥ 1.
/// </summary>
internal readonly record struct LatencyStatistics(double Median, double P90, double Min, double Max, double Mean)
{
    public static LatencyStatistics Of(ReadOnlySpan<double> samples)
    {
        if (samples.IsEmpty) throw new ArgumentException("Latency statistics need at least one sample.", nameof(samples));
        double[] sorted = samples.ToArray();
        Array.Sort(sorted);
        int n = sorted.Length;
        double median = n % 2 == 1 ? sorted[n / 2] : (sorted[(n / 2) - 1] + sorted[n / 2]) / 2;
        double p90 = sorted[Math.Min(n - 1, (int)Math.Floor(0.9 * n))];
        double sum = 0;
        foreach (double s in sorted) sum += s;
        return new LatencyStatistics(median, p90, sorted[0], sorted[^1], sum / n);
    }
}
