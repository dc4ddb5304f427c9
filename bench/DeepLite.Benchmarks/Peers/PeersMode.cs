using System.Globalization;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Text;
using System.Text.Json;
using DeepLite.Cli.Benchmarking;
using DeepLite.Runtime;
using DeepLite.Tests;

namespace DeepLite.Benchmarks.Peers;

/// <summary>
/// <c>peers</c>: whole-model latency of DeepLite and of every available <see cref="IPeerEngine"/> on the same
/// models, threads and input bytes, printed as a Markdown table on standard output (progress on standard error).
/// </summary>
internal static class PeersMode
{
    private const string Usage =
        "usage: peers [--runs N] [--warmup N] [--threads 1,2] [--seed S] [--model FILE]... [--oracle PATH/run.sh]\n"
        + "  --model: a .tflite path or a file name in the shared test data models (default: mobilenet_v1_0.25_128_quant,\n"
        + "           mobilenet_v1_0.25_128_float and mobilenet_v2_1.0_224_quant)\n"
        + "  --oracle: the tflite-oracle's run.sh (default: ../shared/tools/tflite-oracle/run.sh beside the repository)";

    private static readonly string[] DefaultModels =
    [
        "mobilenet_v1_0.25_128_quant.tflite",
        "mobilenet_v1_0.25_128_float.tflite",
        "mobilenet_v2_1.0_224_quant.tflite",
    ];

    /// <summary>
    /// The engines to compare, DeepLite first: the last column divides every engine's median by DeepLite's.
    /// The engines timed beside DeepLite; add another <see cref="IPeerEngine"/> here.
    /// </summary>
    private static IPeerEngine[] Engines(Settings settings) =>
    [
        new DeepLiteEngine(),
        new TfLiteWasmEngine(settings.OracleScript),
        new OnnxRuntimeEngine(DeepLite.Onnx.OnnxExportFlavor.QuantizedUInt8),
        new OnnxRuntimeEngine(DeepLite.Onnx.OnnxExportFlavor.Float32),
    ];

    public static int Run(string[] args, TextWriter output, TextWriter log)
    {
        Settings settings;
        try
        {
            settings = Settings.Parse(args);
        }
        catch (ArgumentException e)
        {
            log.WriteLine(e.Message);
            log.WriteLine(Usage);
            return 2;
        }

        var engines = new List<IPeerEngine>();
        var notes = new List<string>();
        foreach (var engine in Engines(settings))
        {
            string? why = engine.WhyUnavailable();
            if (why is null) engines.Add(engine);
            else notes.Add($"{engine.Name} skipped: {why}");
        }
        foreach (string note in notes) log.WriteLine(note);

        string loadBefore = LoadAverage();
        var rows = new List<Row>();
        foreach (string model in settings.Models)
        {
            var inputs = InputsOf(model, settings.Seed);
            foreach (int threads in settings.Threads)
            {
                foreach (var engine in engines)
                {
                    log.WriteLine($"{Path.GetFileName(model)}: {engine.Name}, {threads} thread(s)...");
                    var run = new PeerRun(model, inputs, settings.Seed, threads, settings.Runs, settings.Warmup);
                    try
                    {
                        rows.Add(new Row(model, engine.Name, threads, engine.Measure(run), null));
                    }
                    catch (Exception e) when (e is DeepLiteException or InvalidOperationException or IOException or TimeoutException
                                                   or JsonException or KeyNotFoundException)
                    {
                        log.WriteLine($"  failed: {e.Message}");
                        rows.Add(new Row(model, engine.Name, threads, null, e.Message));
                    }
                }
            }
        }
        output.Write(Markdown(settings, rows, notes, $"{loadBefore} before, {LoadAverage()} after"));
        return 0;
    }

    /// <summary>The bytes <see cref="RandomInputs"/> puts in each input of <paramref name="modelPath"/>.</summary>
    private static byte[][] InputsOf(string modelPath, uint seed)
    {
        using var model = TfLiteModel.Load(modelPath);
        using var interpreter = new Interpreter(model);
        interpreter.AllocateTensors();
        RandomInputs.Fill(interpreter, seed);
        return interpreter.Inputs.Select(t => t.AsReadOnlyBytes().ToArray()).ToArray();
    }

    private static string Markdown(Settings settings, List<Row> rows, List<string> notes, string load)
    {
        var text = new StringBuilder();
        var invariant = CultureInfo.InvariantCulture;
        text.AppendLine("| | |");
        text.AppendLine("|---|---|");
        text.AppendLine(invariant, $"| machine | {Machine()} |");
        text.AppendLine(invariant, $"| load average (1 min) | {load} |");
        text.AppendLine(invariant, $"| date | {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC |");
        text.AppendLine(invariant, $"| commit | {Commit()} |");
        text.AppendLine(invariant, $"| method | {settings.Runs} timed runs after {settings.Warmup} warm-up; inference call only; seeded random inputs (seed {settings.Seed}), the same bytes for every engine |");
        text.AppendLine();
        text.AppendLine("| model | engine | threads | median ms | p90 ms | median ÷ DeepLite's |");
        text.AppendLine("|---|---|---:|---:|---:|---:|");
        foreach (var row in rows)
        {
            string model = Path.GetFileNameWithoutExtension(row.Model);
            if (row.Timing is not { } timing)
            {
                text.AppendLine(invariant, $"| {model} | {row.Engine} | {row.Threads} | failed | | |");
                continue;
            }
            var reference = rows.FirstOrDefault(r => r.Model == row.Model && r.Threads == row.Threads && r.Engine == "DeepLite")?.Timing;
            string ratio = reference is null ? "" : (timing.MedianMilliseconds / reference.MedianMilliseconds).ToString("F2", invariant);
            text.AppendLine(invariant, $"| {model} | {row.Engine} | {row.Threads} | {timing.MedianMilliseconds:F2} | {timing.P90Milliseconds:F2} | {ratio} |");
        }
        text.AppendLine();
        foreach (var engine in rows.Where(r => r.Timing is not null).GroupBy(r => r.Engine))
        {
            text.AppendLine(invariant, $"- {engine.Key}: {string.Join("; ", engine.Select(r => r.Timing!.Detail).Distinct())}");
        }
        foreach (var row in rows.Where(r => r.Failure is not null))
        {
            text.AppendLine(invariant, $"- {row.Engine} failed on {Path.GetFileName(row.Model)} with {row.Threads} thread(s): {row.Failure}");
        }
        foreach (string note in notes) text.AppendLine(invariant, $"- {note}");
        return text.ToString();
    }

    /// <summary>CPU model, family and model numbers (Linux), logical cores, widest vector .NET accelerates, OS.</summary>
    private static string Machine()
    {
        string cpu = RuntimeInformation.ProcessArchitecture.ToString();
        if (File.Exists("/proc/cpuinfo"))
        {
            var fields = File.ReadLines("/proc/cpuinfo").TakeWhile(l => l.Length > 0)
                .Select(l => l.Split(':', 2)).Where(p => p.Length == 2)
                .GroupBy(p => p[0].Trim()).ToDictionary(g => g.Key, g => g.First()[1].Trim());
            if (fields.TryGetValue("model name", out string? name))
            {
                cpu = $"{name} (family {fields.GetValueOrDefault("cpu family", "?")}, model {fields.GetValueOrDefault("model", "?")})";
            }
        }
        string vectors = Vector512.IsHardwareAccelerated ? "Vector512" : Vector256.IsHardwareAccelerated ? "Vector256" : "Vector128";
        return $"{cpu}, {Environment.ProcessorCount} logical cores, {vectors} accelerated, {RuntimeInformation.OSDescription}";
    }

    /// <summary>The 1-minute load average (Linux), which shows whether other work competed for the cores.</summary>
    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "unknown";

    /// <summary><c>git rev-parse --short HEAD</c> of the repository, marked when the working tree differs from it.</summary>
    private static string Commit()
    {
        try
        {
            var timeout = TimeSpan.FromSeconds(30);
            var (exit, head, _) = ExternalProcess.Run("git", ["rev-parse", "--short", "HEAD"], timeout, TestData.RepoRoot);
            if (exit != 0) return "unknown";
            var (_, changes, _) = ExternalProcess.Run("git", ["status", "--porcelain"], timeout, TestData.RepoRoot);
            return head.Trim() + (changes.Trim().Length > 0 ? " + uncommitted changes" : "");
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return "unknown (git not found)";
        }
    }

    private sealed record Row(string Model, string Engine, int Threads, PeerTiming? Timing, string? Failure);

    private sealed record Settings(IReadOnlyList<string> Models, IReadOnlyList<int> Threads, int Runs, int Warmup, uint Seed, string OracleScript)
    {
        public static Settings Parse(string[] args)
        {
            var models = new List<string>();
            int[] threads = [1, 2];
            int runs = 50, warmup = 5;
            uint seed = RandomInputs.DefaultSeed;
            string oracle = Path.GetFullPath(Path.Combine(TestData.RepoRoot, "..", "shared", "tools", "tflite-oracle", "run.sh"));
            for (int i = 0; i < args.Length; i++)
            {
                string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
                switch (args[i])
                {
                    case "--runs": runs = Number(Value(), "--runs", minimum: 1); break;
                    case "--warmup": warmup = Number(Value(), "--warmup", minimum: 0); break;
                    case "--threads": threads = Value().Split(',').Select(t => Number(t, "--threads", minimum: 1)).ToArray(); break;
                    case "--seed": seed = (uint)Number(Value(), "--seed", minimum: 0); break;
                    case "--model": models.Add(Value()); break;
                    case "--oracle": oracle = Path.GetFullPath(Value()); break;
                    default: throw new ArgumentException($"Unknown argument '{args[i]}'.");
                }
            }
            var paths = (models.Count > 0 ? models : [.. DefaultModels]).Select(m => File.Exists(m) ? Path.GetFullPath(m) : TestData.Model(m)).ToArray();
            foreach (string path in paths)
            {
                if (!File.Exists(path)) throw new ArgumentException($"Model not found: {path}.");
            }
            return new Settings(paths, threads, runs, warmup, seed, oracle);
        }

        private static int Number(string text, string option, int minimum) =>
            int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int value) && value >= minimum
                ? value
                : throw new ArgumentException($"{option} must be a whole number of at least {minimum} (got '{text}').");
    }
}
