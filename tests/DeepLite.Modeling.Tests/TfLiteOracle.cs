using System.Diagnostics;
using System.Text.Json;
using DeepLite.Runtime;
using DeepLite.Tests;

namespace DeepLite.Modeling.Tests;

/// <summary>
/// Runs a model file in real TensorFlow Lite through <c>../shared/tools/tflite-oracle/run.sh</c>
/// (Node + TFLite compiled to WebAssembly). A missing Node or oracle install fails the test with a
/// message naming <c>setup.sh</c>; it never skips.
/// </summary>
internal static class TfLiteOracle
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(3);

    private static string Script => Path.Combine(Path.GetDirectoryName(TestData.Root)!, "tools", "tflite-oracle", "run.sh");

    /// <summary>One output tensor as TFLite computed it: stored values (raw integers for quantized tensors).</summary>
    public sealed record Output(string Name, string DataType, double[] Values);

    /// <summary>Runs <paramref name="modelPath"/> on raw input files (one per input) and returns its outputs.</summary>
    public static Output[] Run(string modelPath, params string[] inputFiles)
    {
        string script = Script;
        if (!File.Exists(script))
        {
            Assert.Fail($"The TFLite oracle is missing at {script}; run ../shared/tools/tflite-oracle/setup.sh (needs node >= 18 and npm).");
        }
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string a in new[] { script, modelPath }.Concat(inputFiles.SelectMany(f => new[] { "--input", f }))
                     .Concat(["--runs", "1", "--warmup", "0", "--no-extra"])) start.ArgumentList.Add(a);
        using var process = Process.Start(start) ?? throw new InvalidOperationException("Cannot start bash.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(Timeout))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"The TFLite oracle did not finish within {Timeout.TotalSeconds} s on {modelPath}.");
        }
        string error = stderr.Result;
        if (process.ExitCode != 0)
        {
            string hint = process.ExitCode == 2 || error.Contains("node", StringComparison.OrdinalIgnoreCase) && error.Contains("not found", StringComparison.OrdinalIgnoreCase)
                ? " Is the oracle installed? Run ../shared/tools/tflite-oracle/setup.sh (needs node >= 18 and npm)." : "";
            Assert.Fail($"Real TFLite failed on {modelPath} (exit {process.ExitCode}): {error.Trim()}{hint}");
        }
        using var doc = JsonDocument.Parse(stdout.Result);
        return doc.RootElement.GetProperty("outputs").EnumerateArray().Select(o =>
        {
            var values = o.TryGetProperty("raw", out var raw) ? raw : o.GetProperty("values");
            return new Output(o.GetProperty("name").GetString() ?? "", o.GetProperty("dtype").GetString() ?? "",
                values.EnumerateArray().Select(v => v.GetDouble()).ToArray());
        }).ToArray();
    }

    /// <summary>
    /// Saves <paramref name="graph"/> and one input to a temporary folder, runs it in DeepLite and in real
    /// TFLite, and asserts the outputs agree: quantized outputs exactly, float32 within
    /// <paramref name="floatRelativeTolerance"/> of the larger magnitude (absolute below 1e-6).
    /// Returns the largest deviation seen (quantization steps or relative).
    /// </summary>
    public static double AssertMatches(string modelPath, byte[] input, double floatRelativeTolerance = 1e-5, int quantizedTolerance = 0)
    {
        string folder = Directory.CreateTempSubdirectory("deeplite-oracle-").FullName;
        try
        {
            string inputPath = Path.Combine(folder, "input.bin");
            File.WriteAllBytes(inputPath, input);
            var theirs = Run(modelPath, inputPath);
            using var model = TfLiteModel.Load(modelPath);
            using var interpreter = new Interpreter(model);
            interpreter.AllocateTensors();
            interpreter.Inputs[0].CopyFromBytes(input);
            interpreter.Invoke();
            Assert.Equal(interpreter.Outputs.Count, theirs.Length);
            double worst = 0;
            for (int o = 0; o < theirs.Length; o++)
            {
                var ours = interpreter.Outputs[o];
                double[] mine = ours.Type switch
                {
                    TensorType.Float32 => ours.ToArray<float>().Select(v => (double)v).ToArray(),
                    TensorType.UInt8 => ours.ToArray<byte>().Select(v => (double)v).ToArray(),
                    TensorType.Int8 => ours.ToArray<sbyte>().Select(v => (double)v).ToArray(),
                    _ => throw new InvalidOperationException($"Output type {ours.Type} is not compared."),
                };
                Assert.Equal(mine.Length, theirs[o].Values.Length);
                for (int i = 0; i < mine.Length; i++)
                {
                    double a = mine[i], b = theirs[o].Values[i];
                    if (ours.Type == TensorType.Float32)
                    {
                        double scale = Math.Max(Math.Abs(a), Math.Abs(b));
                        double deviation = scale < 1e-6 ? 0 : Math.Abs(a - b) / scale;
                        worst = Math.Max(worst, deviation);
                        Assert.True(deviation <= floatRelativeTolerance || Math.Abs(a - b) < 1e-6, $"output {o} element {i}: DeepLite {a}, TFLite {b}");
                    }
                    else
                    {
                        worst = Math.Max(worst, Math.Abs(a - b));
                        Assert.True(Math.Abs(a - b) <= quantizedTolerance, $"output {o} element {i}: DeepLite {a}, TFLite {b}");
                    }
                }
            }
            return worst;
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
