using System.Text.Json;
using DeepLite.Cli.Benchmarking;
using DeepLite.Runtime;
using DeepLite.Tests;

namespace DeepLite.Cli.Tests;

/// <summary><c>deeplite bench</c> run in-process, its latency statistics and its random inputs.</summary>
public sealed class BenchCommandTests
{
    private const string Model = "mobilenet_v1_0.25_128_quant.tflite";

    private static (int Exit, string Output, string Error) Run(params string[] args) => CliRunner.Run(args);

    [Fact]
    public void Bench_Json_HasEveryFigureAndTheyAreConsistent()
    {
        var (exit, output, error) = Run("bench", "--model", TestData.Model(Model), "--runs", "5", "--warmup", "2", "--json");
        Assert.True(exit == 0, error);
        Assert.Equal("", error);
        using var doc = JsonDocument.Parse(output);
        var root = doc.RootElement;
        Assert.Equal(TestData.Model(Model), root.GetProperty("model").GetString());
        Assert.Equal(1, root.GetProperty("threads").GetInt32());
        Assert.Equal(5, root.GetProperty("runs").GetInt32());
        Assert.Equal(2, root.GetProperty("warmup").GetInt32());
        Assert.True(root.GetProperty("loadMs").GetDouble() > 0);
        Assert.True(root.GetProperty("firstInferenceMs").GetDouble() > 0);
        Assert.True(root.GetProperty("warmLoadToFirstResultMs").GetDouble() > 0);
        var latency = root.GetProperty("latencyMs");
        double min = latency.GetProperty("min").GetDouble(), median = latency.GetProperty("median").GetDouble(), p90 = latency.GetProperty("p90").GetDouble();
        Assert.True(min > 0);
        Assert.True(min <= median && median <= p90, $"min {min}, median {median}, p90 {p90}");
        Assert.True(root.GetProperty("cpuPercent").GetDouble() > 0);
        Assert.True(root.GetProperty("peakRssMb").GetDouble() > 1);
        Assert.True(root.GetProperty("managedHeapMb").GetDouble() > 0);
        Assert.True(root.GetProperty("arenaBytes").GetInt64() > 0);
        Assert.True(root.GetProperty("allocatedBytesPerRun").GetInt64() >= 0);
        long macs = root.GetProperty("macs").GetInt64();
        Assert.InRange(macs, 13_000_000, 14_000_000);
        double gmacPerSecond = root.GetProperty("gmacPerSecond").GetDouble();
        Assert.Equal(macs / (median * 1e6), gmacPerSecond, 0.05);
    }

    [Fact]
    public void Bench_Profile_GroupsEveryOperatorByType()
    {
        var (exit, output, error) = Run("bench", "--model", TestData.Model(Model), "--runs", "3", "--warmup", "0", "--json", "--profile");
        Assert.True(exit == 0, error);
        using var doc = JsonDocument.Parse(output);
        var profile = doc.RootElement.GetProperty("profile").EnumerateArray().ToArray();
        using var model = TfLiteModel.Load(TestData.Model(Model));
        var expectedCounts = model.Subgraphs[0].Operators.GroupBy(o => o.Code.Name).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(expectedCounts, profile.ToDictionary(p => p.GetProperty("operator").GetString()!, p => p.GetProperty("count").GetInt32()));
        Assert.Equal(1.0, profile.Sum(p => p.GetProperty("share").GetDouble()), 0.01);
        var ms = profile.Select(p => p.GetProperty("ms").GetDouble()).ToArray();
        Assert.Equal(ms.OrderByDescending(x => x), ms);
        long profiledMacs = profile.Sum(p => p.GetProperty("macs").GetInt64());
        Assert.Equal(doc.RootElement.GetProperty("macs").GetInt64(), profiledMacs);

        (exit, output, error) = Run("bench", "--model", TestData.Model(Model), "--runs", "2", "--warmup", "0", "--profile");
        Assert.True(exit == 0, error);
        Assert.Contains("Profile ", output, StringComparison.Ordinal);
        Assert.Contains("CONV_2D", output, StringComparison.Ordinal);
        Assert.Contains("DEPTHWISE_CONV_2D", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Bench_Text_PrintsEachFigureOnItsLine()
    {
        var (exit, output, error) = Run("bench", "-m", TestData.Model(Model), "-r", "2", "-w", "0", "--threads", "2");
        Assert.True(exit == 0, error);
        Assert.Contains("Threads      2", output, StringComparison.Ordinal);
        Assert.Contains("(2 runs after 0 warm-up)", output, StringComparison.Ordinal);
        foreach (string label in new[] { "Load ", "First run ", "Warm start ", "Latency ", "Compute ", "CPU ", "Memory " })
        {
            Assert.Contains(label, output, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("--runs", "0", "--runs must be at least 1 (got 0).")]
    [InlineData("--threads", "0", "--threads must be at least 1 (got 0).")]
    [InlineData("--warmup", "-1", "--warmup must be at least 0 (got -1).")]
    [InlineData("--runs", "many", "Cannot parse argument 'many' for option '--runs'")]
    public void Bench_BadArgument_IsAUsageError(string option, string value, string message)
    {
        var (exit, output, error) = Run("bench", "--model", TestData.Model(Model), option, value);
        Assert.Equal(2, exit);
        Assert.Equal("", output);
        Assert.Contains(message, error, StringComparison.Ordinal);
    }

    [Fact]
    public void Bench_MissingModel_FailsWithOneClearLine()
    {
        var (exit, _, error) = Run("bench", "--model", Path.Combine(TestData.Models, "no-such-model.tflite"), "--json");
        Assert.Equal(1, exit);
        Assert.StartsWith("error: ", error, StringComparison.Ordinal);
        Assert.Single(error.TrimEnd().Split('\n'));
    }

    [Fact]
    public void LatencyStatistics_UseTheOraclesDefinitions()
    {
        var odd = LatencyStatistics.Of([5, 1, 4, 2, 3]);
        Assert.Equal(new LatencyStatistics(Median: 3, P90: 5, Min: 1, Max: 5, Mean: 3), odd);
        var even = LatencyStatistics.Of([10, 1, 9, 2, 8, 3, 7, 4, 6, 5]);
        Assert.Equal(5.5, even.Median);
        Assert.Equal(10, even.P90);
        var single = LatencyStatistics.Of([2.5]);
        Assert.Equal((2.5, 2.5, 2.5), (single.Min, single.Median, single.P90));
        Assert.Throws<ArgumentException>(() => LatencyStatistics.Of([]));
    }

    /// <summary>The oracle wrote the bytes it fed for <c>--random-inputs 1</c>; ours must be the same bytes.</summary>
    [Theory]
    [InlineData("add.float32")]
    [InlineData("abs-add-rsqrt.float32")]
    [InlineData("conv.uint8")]
    [InlineData("mirror-pad.int32")]
    public void RandomInputs_Seed1_AreTheBytesTheOracleFed(string caseName)
    {
        using var model = TfLiteModel.Load(Path.Combine(TestData.Ops, caseName + ".tflite"));
        using var interpreter = new Interpreter(model);
        interpreter.AllocateTensors();
        RandomInputs.Fill(interpreter, seed: 1);
        for (int i = 0; i < interpreter.Inputs.Count; i++)
        {
            byte[] expected = File.ReadAllBytes(Path.Combine(TestData.Golden, $"{caseName}__seed1.input.{i}.bin"));
            Assert.Equal(expected, interpreter.Inputs[i].AsReadOnlyBytes().ToArray());
        }
    }
}
