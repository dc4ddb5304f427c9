using DeepLite.Runtime;
using Xunit.Abstractions;

namespace DeepLite.Onnx.Tests;

/// <summary>
/// The timing helper on the MobileNets. By default a few runs, so that CI stays quick; set
/// <c>DEEPLITE_ONNX_BENCH_RUNS</c> (e.g. 200) for a real measurement and read the test output.
/// </summary>
public sealed class OnnxTimingTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData("mobilenet_v1_0.25_128_float", OnnxExportFlavor.Float32)]
    [InlineData("mobilenet_v1_0.25_128_quant", OnnxExportFlavor.QuantizedUInt8)]
    [InlineData("mobilenet_v2_1.0_224_quant", OnnxExportFlavor.QuantizedUInt8)]
    [InlineData("mobilenet_v2_1.0_224_quant", OnnxExportFlavor.Float32)]
    public void Measure_ReportsOrderedStatistics(string model, OnnxExportFlavor flavor)
    {
        int runs = int.TryParse(Environment.GetEnvironmentVariable("DEEPLITE_ONNX_BENCH_RUNS"), out int requested) && requested > 0 ? requested : 5;
        using var tflite = TfLiteModel.Load(DeepLite.Tests.TestData.Model($"{model}.tflite"));
        var export = OnnxExporter.Export(tflite, new OnnxExportOptions { Flavor = flavor });

        var result = OnnxTiming.Measure(export.ModelBytes, [ReferenceRuns.CatInput(model)], threads: 1, warmup: Math.Max(1, runs / 10), runs: runs);

        output.WriteLine($"{model} {flavor}: {result}");
        Assert.Equal(runs, result.Runs);
        Assert.True(result.SessionCreateMs > 0 && result.FirstRunMs > 0);
        Assert.True(result.MinMs > 0 && result.MinMs <= result.MedianMs && result.MedianMs <= result.P90Ms);
    }
}
