using DeepLite.Runtime;
using Xunit.Abstractions;

namespace DeepLite.Onnx.Tests;

/// <summary>DeepLite's interpreter outputs on the cat image, computed once per model for all tests.</summary>
public sealed class MobileNetReferenceFixture
{
    private readonly Dictionary<string, TensorValues> _outputs = [];
    private readonly Lock _gate = new();

    internal TensorValues Output(string model)
    {
        lock (_gate)
        {
            if (!_outputs.TryGetValue(model, out var output))
            {
                output = ReferenceRuns.Interpreter(ModelPath(model), [ReferenceRuns.CatInput(model)])[0];
                _outputs[model] = output;
            }
            return output;
        }
    }

    internal static string ModelPath(string model) => DeepLite.Tests.TestData.Model($"{model}.tflite");
}

/// <summary>
/// The exporter is proven by running its ONNX graphs in ONNX Runtime on the golden cat input and comparing
/// with DeepLite's interpreter: float within 1e-4 (softmax probabilities), 8-bit within 3 quantization steps
/// (ONNX Runtime requantizes with its own float rounding), top-1 identical.
/// </summary>
public sealed class MobileNetExportTests(MobileNetReferenceFixture reference, ITestOutputHelper output) : IClassFixture<MobileNetReferenceFixture>
{
    private const string V1Float = "mobilenet_v1_0.25_128_float";
    private const string V1Quant = "mobilenet_v1_0.25_128_quant";
    private const string V2Quant = "mobilenet_v2_1.0_224_quant";

    private static OnnxExport Export(string model, OnnxExportOptions options)
    {
        using var tflite = TfLiteModel.Load(MobileNetReferenceFixture.ModelPath(model));
        return OnnxExporter.Export(tflite, options);
    }

    [Fact]
    public void Float32_MobileNetV1_MatchesInterpreterWithin1e4()
    {
        var export = Export(V1Float, new OnnxExportOptions { Flavor = OnnxExportFlavor.Float32 });
        using var runner = new OnnxRunner(export.ModelBytes);
        float[] pixels = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(ReferenceRuns.CatInput(V1Float)).ToArray();
        float[] onnx = runner.Run(pixels.AsSpan())[0].ToArray<float>();
        float[] expected = reference.Output(V1Float).Real();

        float maxDifference = ReferenceRuns.MaxAbsDifference(expected, onnx);
        output.WriteLine($"{V1Float} Float32: max |ORT − DeepLite| = {maxDifference:G3}, top-1 {ReferenceRuns.ArgMax(onnx)}");
        Assert.True(maxDifference <= 1e-4f, $"max difference {maxDifference}");
        Assert.Equal(ReferenceRuns.ArgMax(expected), ReferenceRuns.ArgMax(onnx));
        Assert.Contains("Conv", export.NodeTypes);
        Assert.DoesNotContain("QLinearConv", export.NodeTypes);
    }

    [Theory]
    [InlineData(V1Quant, OnnxWeightType.Int8)]
    [InlineData(V1Quant, OnnxWeightType.UInt8)]
    [InlineData(V2Quant, OnnxWeightType.Int8)]
    [InlineData(V2Quant, OnnxWeightType.UInt8)]
    public void QuantizedUInt8_MatchesInterpreterWithin3Steps(string model, OnnxWeightType weights)
    {
        var export = Export(model, new OnnxExportOptions { Flavor = OnnxExportFlavor.QuantizedUInt8, QuantizedWeights = weights });
        using var runner = new OnnxRunner(export.ModelBytes);
        var result = runner.Run(ReferenceRuns.CatInput(model))[0];
        var expected = reference.Output(model);

        Assert.Equal(TensorType.UInt8, result.Type);
        int maxDifference = ReferenceRuns.MaxAbsDifference(expected.Bytes, result.Bytes);
        output.WriteLine($"{model} QuantizedUInt8 ({weights} weights): max |ORT − DeepLite| = {maxDifference} steps, top-1 {ReferenceRuns.ArgMax(result.Bytes)}");
        Assert.True(maxDifference <= 3, $"max difference {maxDifference} quantization steps");
        Assert.Equal(ReferenceRuns.ArgMax(expected.Bytes), ReferenceRuns.ArgMax(result.Bytes));
        Assert.Contains("QLinearConv", export.NodeTypes);
        Assert.DoesNotContain("Conv", export.NodeTypes);
        if (model == V2Quant) Assert.Contains("com.microsoft:QLinearAdd", export.NodeTypes);
    }

    /// <summary>The other quantized MobileNets of the test data; the embedding extractor ends at its 7×7 average
    /// pool (takes the 224×224 cat input made for v2: same size and input quantization).</summary>
    [Theory]
    [InlineData("mobilenet_v1_0.5_160_quant", "mobilenet_v1_0.5_160_quant")]
    [InlineData("mobilenet_v1_0.75_192_quant", "mobilenet_v1_0.75_192_quant")]
    [InlineData("mobilenet_v1_1.0_224_quant_embedding_extractor", V2Quant)]
    public void QuantizedUInt8_OtherMobileNets_MatchInterpreterWithin3Steps(string model, string inputOf)
    {
        byte[] input = ReferenceRuns.CatInput(inputOf);
        var expected = ReferenceRuns.Interpreter(MobileNetReferenceFixture.ModelPath(model), [input])[0];
        var export = Export(model, new OnnxExportOptions { Flavor = OnnxExportFlavor.QuantizedUInt8 });
        using var runner = new OnnxRunner(export.ModelBytes);
        var result = runner.Run(input)[0];

        Assert.Equal(expected.Shape, result.Shape);
        int maxDifference = ReferenceRuns.MaxAbsDifference(expected.Bytes, result.Bytes);
        output.WriteLine($"{model} QuantizedUInt8: max |ORT − DeepLite| = {maxDifference} steps");
        Assert.True(maxDifference <= 3, $"max difference {maxDifference} quantization steps");
        Assert.Equal(ReferenceRuns.ArgMax(expected.Bytes), ReferenceRuns.ArgMax(result.Bytes));
    }

    [Theory]
    [InlineData(V1Quant)]
    [InlineData(V2Quant)]
    public void Float32Twin_OfQuantizedModel_AgreesOnTop1(string model)
    {
        var export = Export(model, new OnnxExportOptions { Flavor = OnnxExportFlavor.Float32 });
        using var runner = new OnnxRunner(export.ModelBytes);
        Assert.Equal(TensorType.UInt8, runner.Inputs[0].Type);
        float[] onnx = runner.Run(ReferenceRuns.CatInput(model))[0].ToArray<float>();
        float[] expected = reference.Output(model).Real();

        float maxDifference = ReferenceRuns.MaxAbsDifference(expected, onnx);
        output.WriteLine($"{model} Float32 twin: max |ORT float − DeepLite uint8 (real)| = {maxDifference:G3}, top-1 {ReferenceRuns.ArgMax(onnx)}");
        Assert.Equal(ReferenceRuns.ArgMax(expected), ReferenceRuns.ArgMax(onnx));
        Assert.DoesNotContain("QLinearConv", export.NodeTypes);
    }
}
