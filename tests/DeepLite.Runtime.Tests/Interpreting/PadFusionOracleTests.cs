using System.Diagnostics;
using System.Text.Json;
using DeepLite.Tests;
using Xunit.Abstractions;

namespace DeepLite.Runtime.Tests.Interpreting;

/// <summary>
/// Runs hand-built PAD → convolution models in real TensorFlow Lite (<c>../shared/tools/tflite-oracle</c>, which
/// needs Node) and compares its outputs with DeepLite's (fused, or for a PADV2 of a non-zero value, unfused). TFLite runs these convolutions in XNNPACK, whose
/// requantization our quantized kernels follow, so quantized outputs must match exactly; float outputs may differ in
/// the last bits (a different summation order), within <see cref="FloatTolerance"/>.
/// </summary>
public sealed class PadFusionOracleTests(ITestOutputHelper output)
{
    private const double FloatTolerance = 1e-5;
    private static readonly TimeSpan OracleTimeout = TimeSpan.FromMinutes(2);

    public static TheoryData<string> OracleCaseNames() =>
    [
        "F32 conv, pad 1 all round",
        "F32 conv, stride 2, pad bottom and left only",
        "QU8 depthwise, stride 2, pad bottom and left only",
        "QC8 conv, stride 2, pad bottom and left only",
        "QU8 depthwise, PADV2 of the zero point",
        "QU8 PADV2 of another value",
    ];

    [Theory]
    [MemberData(nameof(OracleCaseNames))]
    public void PadThenConvolution_Fused_MatchesTfLite(string name)
    {
        var c = PadFusionTests.FusedCases.Concat(PadFusionTests.UnfusedCases).Single(x => x.Name == name);
        bool fusable = PadFusionTests.FusedCases.Contains(c);
        byte[] modelBytes = PadConvolutionModels.Build(c);
        byte[] input = PadConvolutionModels.Input(c);
        string directory = Directory.CreateTempSubdirectory("deeplite-padfusion-").FullName;
        try
        {
            string modelPath = Path.Combine(directory, "model.tflite");
            string inputPath = Path.Combine(directory, "input.bin");
            File.WriteAllBytes(modelPath, modelBytes);
            File.WriteAllBytes(inputPath, input);
            using var oracle = RunOracle(modelPath, inputPath);

            using var model = TfLiteModel.FromBytes(modelBytes);
            using var interpreter = new Interpreter(model);
            Assert.Equal(fusable ? 1 : 0, interpreter.FusedOperatorCount);
            interpreter.AllocateTensors();
            interpreter.Inputs[0].CopyFromBytes(input);
            interpreter.Invoke();
            var ours = interpreter.Outputs[0];

            var expected = oracle.RootElement.GetProperty("outputs")[0];
            Assert.Equal(ours.Shape.ToArray(), expected.GetProperty("shape").EnumerateArray().Select(e => e.GetInt32()).ToArray());
            double deviation;
            if (c.Type == TensorType.Float32)
            {
                float[] tflite = [.. expected.GetProperty("values").EnumerateArray().Select(e => e.GetSingle())];
                float[] actual = ours.ToArray<float>();
                Assert.Equal(tflite.Length, actual.Length);
                deviation = tflite.Zip(actual, (a, b) => Math.Abs((double)a - b)).Max();
                Assert.True(deviation <= FloatTolerance, $"{name}: largest difference from TFLite {deviation}");
            }
            else
            {
                int[] tflite = [.. expected.GetProperty("raw").EnumerateArray().Select(e => e.GetInt32())];
                int[] actual = c.Type == TensorType.UInt8 ? [.. ours.ToArray<byte>().Select(v => (int)v)] : [.. ours.ToArray<sbyte>().Select(v => (int)v)];
                Assert.Equal(tflite.Length, actual.Length);
                deviation = tflite.Zip(actual, (a, b) => Math.Abs(a - b)).Max();
                Assert.Equal(tflite, actual);
            }
            output.WriteLine($"{name}: {ours.ElementCount} values, largest difference from TFLite {deviation}");
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>Runs the oracle on one raw input file and returns its JSON; fails (never skips) when it cannot run.</summary>
    private static JsonDocument RunOracle(string modelPath, string inputPath)
    {
        string script = Path.GetFullPath(Path.Combine(TestData.RepoRoot, "..", "shared", "tools", "tflite-oracle", "run.sh"));
        Assert.True(File.Exists(script), $"The TFLite oracle is missing at {script}; see the shared tools' README.");
        var start = new ProcessStartInfo(script)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string argument in new[] { modelPath, inputPath, "--runs", "1", "--warmup", "0", "--no-extra" }) start.ArgumentList.Add(argument);
        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException("Process.Start returned null.");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException($"Cannot start the TFLite oracle {script} (it needs bash and Node >= 18 on PATH): {e.Message}", e);
        }
        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(OracleTimeout))
            {
                process.Kill(entireProcessTree: true);
                Assert.Fail($"The TFLite oracle did not finish within {OracleTimeout.TotalSeconds} s.");
            }
            string error = stderr.Result;
            Assert.True(process.ExitCode == 0,
                $"The TFLite oracle failed (exit {process.ExitCode}); it needs Node >= 18 and ../shared/tools/tflite-oracle/setup.sh run once.\n{error}");
            return JsonDocument.Parse(stdout.Result);
        }
    }
}
