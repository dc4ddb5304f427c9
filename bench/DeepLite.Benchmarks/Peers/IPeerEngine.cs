namespace DeepLite.Benchmarks.Peers;

/// <summary>
/// One measurement in <c>peers</c> mode: a .tflite model, its input bytes, and the threads, timed runs and
/// warm-up runs to use. <see cref="Inputs"/> are the raw little-endian bytes of each model input, in input order:
/// exactly what <see cref="Cli.Benchmarking.RandomInputs"/> makes from <see cref="Seed"/>, so every engine sees the
/// same values.
/// </summary>
internal sealed record PeerRun(string ModelPath, IReadOnlyList<byte[]> Inputs, uint Seed, int Threads, int Runs, int Warmup);

/// <summary>Latency of the timed runs in milliseconds (median and p90 as <see cref="Cli.Benchmarking.LatencyStatistics"/>
/// defines them), and what exactly ran (package, build, versions), for the notes under the table.</summary>
internal sealed record PeerTiming(double MedianMilliseconds, double P90Milliseconds, string Detail);

/// <summary>
/// EXTENSION POINT: an inference engine that <c>peers</c> mode times beside DeepLite. To add one (ONNX Runtime
/// from bench/DeepLite.Onnx is the next), implement this interface and add an instance to
/// <see cref="PeersMode.Engines"/>. Each engine times only the inference call, with inputs already set,
/// after <see cref="PeerRun.Warmup"/> untimed calls.
/// </summary>
internal interface IPeerEngine
{
    /// <summary>The engine column of the table, e.g. "TFLite + XNNPACK (wasm)".</summary>
    string Name { get; }

    /// <summary>Null when the engine can run on this machine; otherwise why not (the engine is then skipped and the
    /// reason printed under the table).</summary>
    string? WhyUnavailable();

    /// <summary>Runs the model and returns its timing; throws when this model cannot run (the row says so).</summary>
    PeerTiming Measure(PeerRun run);
}
