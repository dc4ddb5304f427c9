using System.Globalization;
using System.Text.Json;

namespace DeepLite.Benchmarks.Peers;

/// <summary>
/// Real TensorFlow Lite with its XNNPACK delegate, compiled to WebAssembly and run under Node by the shared
/// tflite-oracle (<c>run.sh MODEL INPUT --runs N --warmup W --threads T</c>). Its timing is the wall time of
/// <c>Interpreter::Invoke</c> with inputs set; threads above 1 use its pthread build.
/// </summary>
internal sealed class TfLiteWasmEngine(string runScript) : IPeerEngine
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(10);

    public string Name => "TFLite + XNNPACK (wasm)";

    public string? WhyUnavailable()
    {
        if (!File.Exists(runScript)) return $"tflite-oracle not found at {runScript} (pass --oracle PATH/run.sh).";
        var (exit, _, error) = ExternalProcess.Run(runScript, ["--help"], Timeout);
        return exit == 0 ? null : $"tflite-oracle is not set up: {error.Trim()} (run {Path.Combine(Path.GetDirectoryName(runScript)!, "setup.sh")}).";
    }

    public PeerTiming Measure(PeerRun run)
    {
        string folder = Directory.CreateTempSubdirectory("deeplite-peers-").FullName;
        try
        {
            var arguments = new List<string> { run.ModelPath };
            for (int i = 0; i < run.Inputs.Count; i++)
            {
                string file = Path.Combine(folder, $"input.{i}.bin");
                File.WriteAllBytes(file, run.Inputs[i]);
                if (i > 0) arguments.Add("--input");
                arguments.Add(file);
            }
            arguments.AddRange(["--runs", Text(run.Runs), "--warmup", Text(run.Warmup), "--threads", Text(run.Threads), "--no-values", "--no-extra"]);
            var (exit, output, error) = ExternalProcess.Run(runScript, arguments, Timeout);
            if (exit != 0) throw new InvalidOperationException($"tflite-oracle failed (exit {exit}): {error.Trim()}");
            using var json = JsonDocument.Parse(output);
            var timing = json.RootElement.GetProperty("timing");
            var engine = json.RootElement.GetProperty("engine");
            string detail = $"{engine.GetProperty("package").GetString()}, {engine.GetProperty("wasm").GetString()}, Node {engine.GetProperty("node").GetString()}";
            return new PeerTiming(timing.GetProperty("median_ms").GetDouble(), timing.GetProperty("p90_ms").GetDouble(), detail);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);
}
