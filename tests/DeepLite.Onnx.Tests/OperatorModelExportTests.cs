using DeepLite.Runtime;
using Xunit.Abstractions;

namespace DeepLite.Onnx.Tests;

/// <summary>
/// Single-operator models from the shared test data (tflite2onnx's assets), exported and run in ONNX Runtime
/// on TFLite's seeded golden inputs and compared with DeepLite's interpreter. They cover layouts the
/// MobileNets do not reach: broadcasting with constants, concatenation axes, pads, means, reshapes of
/// NCHW values, fully connected heads, standalone activations and dilation.
/// </summary>
public sealed class OperatorModelExportTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData("add.float32", 2)]
    [InlineData("add-broadcast.float32", 2)]
    [InlineData("add-broadcast2.float32", 1)]
    [InlineData("add-relu.float32", 2)]
    [InlineData("avgpool-concat.float32", 2)]
    [InlineData("avgpooling.float32", 1)]
    [InlineData("concat.float32", 3)]
    [InlineData("concat2.float32", 3)]
    [InlineData("conv.float32", 1)]
    [InlineData("conv-dilation.float32", 1)]
    [InlineData("conv-relu.float32", 1)]
    [InlineData("conv-relu6.float32", 1)]
    [InlineData("conv-reshape.float32", 1)]
    [InlineData("conv-reshape-multiple-conv.float32", 1)]
    [InlineData("conv-stride.float32", 1)]
    [InlineData("conv-quant-fp16.float32", 1)]
    [InlineData("depthwise-conv.float32", 1)]
    [InlineData("depthwise-conv-stride.float32", 1)]
    [InlineData("fullyconnected.float32", 1)]
    [InlineData("fullyconnected-relu6.float32", 1)]
    [InlineData("maxpooling.float32", 1)]
    [InlineData("mean.float32", 1)]
    [InlineData("mean-keepdims.float32", 1)]
    [InlineData("padding.float32", 1)]
    [InlineData("relu.float32", 1)]
    [InlineData("relu6.float32", 1)]
    [InlineData("reshape.float32", 1)]
    [InlineData("reshape-conv.float32", 1)]
    [InlineData("softmax.float32", 1)]
    public void Float32_MatchesInterpreter(string name, int inputCount)
    {
        var (expected, actual) = Run(name, inputCount, OnnxExportFlavor.Float32);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.Equal(TensorType.Float32, actual[i].Type);
            Assert.Equal(expected[i].Shape, actual[i].Shape);
            float[] want = expected[i].Real(), got = actual[i].ToArray<float>();
            double worst = 0;
            for (int k = 0; k < want.Length; k++)
            {
                worst = Math.Max(worst, Math.Abs(want[k] - got[k]) / Math.Max(1.0, Math.Abs(want[k])));
            }
            output.WriteLine($"{name} output {i}: max relative difference {worst:G3}");
            Assert.True(worst <= 1e-4, $"output {i}: max difference {worst} relative to max(1, |expected|)");
        }
    }

    [Theory]
    [InlineData("conv.uint8")]
    [InlineData("conv-relu.uint8")]
    [InlineData("depthwise-conv.uint8")]
    public void QuantizedUInt8_MatchesInterpreterWithin1Step(string name)
    {
        var (expected, actual) = Run(name, 1, OnnxExportFlavor.QuantizedUInt8);
        Assert.Equal(TensorType.UInt8, actual[0].Type);
        int difference = ReferenceRuns.MaxAbsDifference(expected[0].Bytes, actual[0].Bytes);
        output.WriteLine($"{name}: max difference {difference} steps");
        Assert.True(difference <= 1, $"max difference {difference} quantization steps");
    }

    [Theory]
    [InlineData("conv.uint8")]
    [InlineData("conv-relu.uint8")]
    [InlineData("depthwise-conv.uint8")]
    public void Float32Twin_OfUInt8Model_MatchesWithinHalfAStepInsideTheUInt8Range(string name)
    {
        var (expected, actual) = Run(name, 1, OnnxExportFlavor.Float32);
        Assert.Equal(TensorType.Float32, actual[0].Type);
        var quantization = expected[0].Quantization!;
        float scale = quantization.Scale;
        // The uint8 output saturates at its representable range; the float twin does not, so clamp it there.
        float low = scale * (0 - quantization.ZeroPoint), high = scale * (255 - quantization.ZeroPoint);
        float[] twin = actual[0].ToArray<float>().Select(v => Math.Clamp(v, low, high)).ToArray();
        float difference = ReferenceRuns.MaxAbsDifference(expected[0].Real(), twin);
        output.WriteLine($"{name} Float32 twin: max difference {difference / scale:G3} steps");
        Assert.True(difference <= 0.51f * scale, $"max difference {difference / scale} steps of {scale}");
    }

    [Fact]
    public void Export_ConvRelu_UInt8_ClampsAtTheOutputZeroPoint()
    {
        using var model = TfLiteModel.Load(DeepLite.Tests.TestData.File("ops", "conv-relu.uint8.tflite"));

        var export = OnnxExporter.Export(model, new OnnxExportOptions { Flavor = OnnxExportFlavor.QuantizedUInt8 });

        Assert.Equal(["QLinearConv", "Clip"], export.NodeTypes.Where(t => t is not ("Transpose" or "Identity")).ToArray());
    }

    private static (TensorValues[] Expected, IReadOnlyList<OnnxOutput> Actual) Run(string name, int inputCount, OnnxExportFlavor flavor)
    {
        string path = DeepLite.Tests.TestData.File("ops", $"{name}.tflite");
        byte[][] inputs = ReferenceRuns.SeedInputs(name, inputCount);
        var expected = ReferenceRuns.Interpreter(path, inputs);
        using var model = TfLiteModel.Load(path);
        var export = OnnxExporter.Export(model, new OnnxExportOptions { Flavor = flavor });
        using var runner = new OnnxRunner(export.ModelBytes);
        var actual = runner.Run(inputs);
        Assert.Equal(expected.Length, actual.Count);
        return (expected, actual);
    }
}
