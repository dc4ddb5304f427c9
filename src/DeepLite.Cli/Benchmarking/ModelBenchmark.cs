using System.Diagnostics;
using DeepLite.Runtime;

namespace DeepLite.Cli.Benchmarking;

/// <summary>What one end-to-end benchmark runs: a model file, the interpreter's threads, the warm-up and
/// timed <c>Invoke</c> counts, and the seed of the random inputs (<see cref="RandomInputs"/>).</summary>
internal sealed record ModelBenchmarkSettings(string ModelPath, int Threads, int Runs, int Warmup, uint Seed = RandomInputs.DefaultSeed, bool Profile = false)
{
    /// <summary>Throws an <see cref="ArgumentException"/> naming the first setting out of range.</summary>
    public void Validate()
    {
        if (Threads < 1) throw new ArgumentException($"threads must be at least 1 (got {Threads}).");
        if (Runs < 1) throw new ArgumentException($"runs must be at least 1 (got {Runs}).");
        if (Warmup < 0) throw new ArgumentException($"warmup must be 0 or more (got {Warmup}).");
    }
}

/// <summary>The stage a running benchmark is in, for progress displays.</summary>
internal enum ModelBenchmarkStage
{
    /// <summary>Loading, AllocateTensors and the first inference (2 steps).</summary>
    Load,
    Warmup,
    Timed,
}

/// <summary>
/// Figures of one end-to-end benchmark. Times are wall-clock milliseconds; sizes are bytes.
/// </summary>
/// <param name="Settings">What was run.</param>
/// <param name="LoadMilliseconds"><see cref="TfLiteModel.Load"/> + <c>new Interpreter</c> + <see cref="Interpreter.AllocateTensors"/>,
/// in a process that may not have run them before (so it includes JIT compilation of that code).</param>
/// <param name="FirstInferenceMilliseconds">The first <see cref="Interpreter.Invoke"/> (includes JIT compilation of the kernels).</param>
/// <param name="Latency">Statistics of the timed <see cref="Interpreter.Invoke"/> calls, after the warm-up ones.</param>
/// <param name="CpuPercent">Processor time of the whole process during the timed runs ÷ their wall time × 100:
/// 100 means one core busy all the time; with N threads the ceiling is N × 100.</param>
/// <param name="AllocatedBytesPerRun">Managed bytes allocated by all threads during the timed runs ÷ runs.</param>
/// <param name="PeakWorkingSetBytes">The most physical memory the process has held at once, read after the runs
/// (<see cref="Process.PeakWorkingSet64"/>; the whole process: runtime, JIT, touched model pages, arena).</param>
/// <param name="LinuxHighWaterMarkBytes">VmHWM from /proc/self/status after the runs; null off Linux.</param>
/// <param name="ManagedHeapBytes">Bytes the GC counts as allocated after the runs (<see cref="GC.GetTotalMemory"/>, no collection).</param>
/// <param name="GcHeapSizeBytes">Size of the GC heap after the last collection, fragmentation included (<see cref="GCMemoryInfo.HeapSizeBytes"/>).</param>
/// <param name="ArenaBytes">The interpreter's planned tensor arena (<see cref="Runtime.Planning.MemoryPlan.ArenaBytes"/>).</param>
/// <param name="MultiplyAccumulates">Multiply-accumulates of one inference (<see cref="ModelStatistics.MultiplyAccumulates"/>).</param>
/// <param name="WarmLoadToFirstResultMilliseconds">Load, allocate and first inference again once the code is compiled
/// (best of five): what an app that loads a model after start-up waits.</param>
/// <param name="Profile">Time per operator type, slowest first, when the settings ask for it.</param>
internal sealed record ModelBenchmarkResult(
    ModelBenchmarkSettings Settings,
    double LoadMilliseconds,
    double FirstInferenceMilliseconds,
    LatencyStatistics Latency,
    double CpuPercent,
    long AllocatedBytesPerRun,
    long PeakWorkingSetBytes,
    long? LinuxHighWaterMarkBytes,
    long ManagedHeapBytes,
    long GcHeapSizeBytes,
    long ArenaBytes,
    long MultiplyAccumulates,
    double WarmLoadToFirstResultMilliseconds,
    IReadOnlyList<OperatorTypeProfile>? Profile = null)
{
    /// <summary>Multiply-accumulates per second at the median latency, in units of 10^9.</summary>
    public double GigaMacsPerSecond => MultiplyAccumulates / (Latency.Median * 1e-3) / 1e9;
}

/// <summary>
/// Runs a model end to end in this process: load and allocate, one first inference, <c>Warmup</c> untimed
/// and <c>Runs</c> timed <see cref="Interpreter.Invoke"/> calls on seeded random inputs. A full garbage
/// collection precedes the timed runs so that earlier garbage is not collected during them.
/// </summary>
internal static class ModelBenchmark
{
    /// <param name="settings">What to run; validated first.</param>
    /// <param name="progress">Called after each step with (stage, steps done, steps in the stage); keep it cheap, it runs between timed calls.</param>
    public static ModelBenchmarkResult Run(ModelBenchmarkSettings settings, Action<ModelBenchmarkStage, int, int>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        settings.Validate();

        long start = Stopwatch.GetTimestamp();
        using var model = TfLiteModel.Load(settings.ModelPath);
        using var interpreter = new Interpreter(model, new InterpreterOptions { Threads = settings.Threads });
        interpreter.AllocateTensors();
        double loadMilliseconds = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        progress?.Invoke(ModelBenchmarkStage.Load, 1, 2);

        RandomInputs.Fill(interpreter, settings.Seed);
        start = Stopwatch.GetTimestamp();
        interpreter.Invoke();
        double firstMilliseconds = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        progress?.Invoke(ModelBenchmarkStage.Load, 2, 2);

        for (int i = 0; i < settings.Warmup; i++)
        {
            interpreter.Invoke();
            progress?.Invoke(ModelBenchmarkStage.Warmup, i + 1, settings.Warmup);
        }

        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        var samples = new double[settings.Runs];
        using var process = Process.GetCurrentProcess();
        TimeSpan cpuBefore = process.TotalProcessorTime;
        long allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        long timedStart = Stopwatch.GetTimestamp();
        for (int i = 0; i < samples.Length; i++)
        {
            long runStart = Stopwatch.GetTimestamp();
            interpreter.Invoke();
            samples[i] = Stopwatch.GetElapsedTime(runStart).TotalMilliseconds;
            progress?.Invoke(ModelBenchmarkStage.Timed, i + 1, samples.Length);
        }
        TimeSpan wall = Stopwatch.GetElapsedTime(timedStart);
        long allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
        process.Refresh();
        TimeSpan cpu = process.TotalProcessorTime - cpuBefore;

        // Memory is read before the profile and the warm-start loads, which would add their own buffers to the peak.
        long peakWorkingSet = process.PeakWorkingSet64;
        long? highWaterMark = ProcessMemory.LinuxHighWaterMarkBytes();
        long managedHeap = GC.GetTotalMemory(forceFullCollection: false);
        long gcHeapSize = GC.GetGCMemoryInfo().HeapSizeBytes;
        var profile = settings.Profile ? OperatorTypeProfile.Measure(model, interpreter, settings.Runs) : null;
        double warmLoadToFirstResult = WarmLoadToFirstResult(settings);
        return new ModelBenchmarkResult(
            settings,
            loadMilliseconds,
            firstMilliseconds,
            LatencyStatistics.Of(samples),
            CpuPercent: 100 * cpu.TotalSeconds / wall.TotalSeconds,
            AllocatedBytesPerRun: allocated / settings.Runs,
            PeakWorkingSetBytes: peakWorkingSet,
            highWaterMark,
            ManagedHeapBytes: managedHeap,
            GcHeapSizeBytes: gcHeapSize,
            ArenaBytes: interpreter.MemoryPlan?.ArenaBytes ?? 0,
            MultiplyAccumulates: ModelStatistics.Compute(model, interpreter).MultiplyAccumulates,
            warmLoadToFirstResult,
            profile);
    }

    /// <summary>
    /// Milliseconds from opening the file again to the first inference's outputs, in this process whose code is now
    /// compiled: a second <see cref="TfLiteModel.Load"/>, interpreter, <see cref="Interpreter.AllocateTensors"/> (weight
    /// packing included), inputs filled and one <see cref="Interpreter.Invoke"/>. The best of five, each after a full
    /// garbage collection so that collecting the previous attempt's buffers is not charged to the next.
    /// </summary>
    private static double WarmLoadToFirstResult(ModelBenchmarkSettings settings)
    {
        double best = double.MaxValue;
        for (int i = 0; i < 5; i++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            long start = Stopwatch.GetTimestamp();
            using var model = TfLiteModel.Load(settings.ModelPath);
            using var interpreter = new Interpreter(model, new InterpreterOptions { Threads = settings.Threads });
            interpreter.AllocateTensors();
            RandomInputs.Fill(interpreter, settings.Seed);
            interpreter.Invoke();
            best = Math.Min(best, Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        }
        return best;
    }
}

/// <summary>
/// Time spent in one operator type, from <see cref="Interpreter.ProfileOperators"/> (each operator's <c>Eval</c>
/// timed on its own, averaged over the runs).
/// </summary>
/// <param name="Operator">Builtin name, e.g. <c>CONV_2D</c>.</param>
/// <param name="Count">Operators of this type in the main subgraph.</param>
/// <param name="Milliseconds">Their summed time per inference.</param>
/// <param name="Share">Fraction of the summed time of all operators, 0..1.</param>
/// <param name="MultiplyAccumulates">Their multiply-accumulates per inference (0 for ops without MACs).</param>
internal sealed record OperatorTypeProfile(string Operator, int Count, double Milliseconds, double Share, long MultiplyAccumulates)
{
    /// <summary>MACs ÷ time in 10^9 per second; 0 when the type has no MACs.</summary>
    public double GigaMacsPerSecond => Milliseconds > 0 ? MultiplyAccumulates / (Milliseconds * 1e-3) / 1e9 : 0;

    /// <summary>Profiles <paramref name="runs"/> inferences and groups the times by operator type, slowest first.</summary>
    public static IReadOnlyList<OperatorTypeProfile> Measure(TfLiteModel model, Interpreter interpreter, int runs)
    {
        double[] perOperator = interpreter.ProfileOperators(runs);
        var macs = ModelStatistics.Compute(model, interpreter).MultiplyAccumulatesPerOperator;
        var operators = model.Subgraphs[0].Operators;
        double total = perOperator.Sum();
        return operators
            .Select((op, i) => (Name: op.Code.Name, Ms: perOperator[i], Macs: i < macs.Count ? macs[i] : 0))
            .GroupBy(x => x.Name, StringComparer.Ordinal)
            .Select(g => new OperatorTypeProfile(g.Key, g.Count(), g.Sum(x => x.Ms), total > 0 ? g.Sum(x => x.Ms) / total : 0, g.Sum(x => x.Macs)))
            .OrderByDescending(p => p.Milliseconds)
            .ToArray();
    }
}
