using DeepLite.Runtime;
using DeepLite.Tests;
using Xunit.Abstractions;

namespace DeepLite.Onnx.Tests;

/// <summary>
/// uint8 graphs built by hand for the quantized paths the MobileNets do not take: fully connected as a 1×1
/// QLinearConv, max pooling on uint8, QLinearAveragePool with SAME padding, concatenation with requantized
/// inputs, pads filled with the zero point, means, standalone activations, and a chain that keeps NCHW
/// through pad, pools and concatenation before a transpose back for the reshape. Each runs in ONNX Runtime
/// and in DeepLite's interpreter on seeded inputs.
/// </summary>
public sealed class QuantizedOperatorTests(ITestOutputHelper output)
{
    private const byte Relu6 = 3;
    private const byte Same = 0, Valid = 1;

    private static FlatTableBuilder PoolOptions(byte padding, int stride, int filter) =>
        new FlatTableBuilder().Byte(0, padding).Int(1, stride).Int(2, stride).Int(3, filter).Int(4, filter);

    [Fact]
    public void ConvPadPoolsConcatReshapeFullyConnected_MatchInterpreterWithin1Step()
    {
        var b = new TinyModelBuilder();
        int x = b.Tensor("x", TensorType.UInt8, [1, 4, 4, 3], 0.02f);
        int convWeights = b.RandomUInt8("conv_w", [4, 1, 1, 3], 0.005f);
        int convBias = b.RandomInt32("conv_b", [4], 0.02f * 0.005f, 2000);
        int conv = b.Tensor("conv", TensorType.UInt8, [1, 4, 4, 4], 0.1f);
        int paddings = b.Int32Constant("paddings", [4, 2], 0, 0, 1, 1, 1, 1, 0, 0);
        int padded = b.Tensor("padded", TensorType.UInt8, [1, 6, 6, 4], 0.1f);
        int maxPool = b.Tensor("max_pool", TensorType.UInt8, [1, 3, 3, 4], 0.1f);
        int averagePool = b.Tensor("average_pool", TensorType.UInt8, [1, 3, 3, 4], 0.1f);
        int concat = b.Tensor("concat", TensorType.UInt8, [1, 3, 3, 8], 0.2f);
        int shape = b.Int32Constant("shape", [2], 1, 72);
        int flat = b.Tensor("flat", TensorType.UInt8, [1, 72], 0.2f);
        int fcWeights = b.RandomUInt8("fc_w", [5, 72], 0.003f);
        int fcBias = b.RandomInt32("fc_b", [5], 0.2f * 0.003f, 500);
        int y = b.Tensor("y", TensorType.UInt8, [1, 5], 1.5f);
        b.Operator(BuiltinOperator.CONV_2D, [x, convWeights, convBias], [conv], new FlatTableBuilder().Byte(0, Same).Int(1, 1).Int(2, 1).Byte(3, Relu6));
        b.Operator(BuiltinOperator.PAD, [conv, paddings], [padded]);
        b.Operator(BuiltinOperator.MAX_POOL_2D, [padded], [maxPool], PoolOptions(Valid, 2, 2));
        b.Operator(BuiltinOperator.AVERAGE_POOL_2D, [padded], [averagePool], PoolOptions(Same, 2, 3));
        b.Operator(BuiltinOperator.CONCATENATION, [maxPool, averagePool], [concat], new FlatTableBuilder().Int(0, 3));
        b.Operator(BuiltinOperator.RESHAPE, [concat, shape], [flat], new FlatTableBuilder().Ints(0, 1, 72));
        b.Operator(BuiltinOperator.FULLY_CONNECTED, [flat, fcWeights, fcBias], [y]);

        var export = Compare(b.Build([x], [y]), [TinyModelBuilder.RandomInput(48, 1)], maxSteps: 1);

        Assert.Contains("MaxPool", export.NodeTypes);
        Assert.Contains("com.microsoft:QLinearAveragePool", export.NodeTypes);
        Assert.Contains("Pad", export.NodeTypes);
        Assert.Contains("Transpose", export.NodeTypes);
    }

    [Fact]
    public void FullyConnected_WithRelu6_MatchesInterpreterExactly()
    {
        var b = new TinyModelBuilder();
        int x = b.Tensor("x", TensorType.UInt8, [2, 8], 0.05f);
        int weights = b.RandomUInt8("w", [4, 8], 0.01f);
        int bias = b.RandomInt32("b", [4], 0.05f * 0.01f, 3000);
        int y = b.Tensor("y", TensorType.UInt8, [2, 4], 0.05f);
        b.Operator(BuiltinOperator.FULLY_CONNECTED, [x, weights, bias], [y], new FlatTableBuilder().Byte(0, Relu6));

        var export = Compare(b.Build([x], [y]), [TinyModelBuilder.RandomInput(16, 2)], maxSteps: 0);

        Assert.Contains("QLinearConv", export.NodeTypes);
        Assert.Contains("Clip", export.NodeTypes);
    }

    [Theory]
    [InlineData(new[] { 1, 2 }, false)]
    [InlineData(new[] { 3 }, true)]
    public void Mean_MatchesInterpreterWithin1Step(int[] axes, bool keepDims)
    {
        var b = new TinyModelBuilder();
        int x = b.Tensor("x", TensorType.UInt8, [1, 4, 4, 3], 0.1f);
        int axesTensor = b.Int32Constant("axes", [axes.Length], axes);
        int[] outputShape = keepDims ? [1, 4, 4, 1] : [1, 3];
        int y = b.Tensor("y", TensorType.UInt8, outputShape, 0.07f);
        b.Operator(BuiltinOperator.MEAN, [x, axesTensor], [y], new FlatTableBuilder().Byte(0, keepDims ? (byte)1 : (byte)0));

        Compare(b.Build([x], [y]), [TinyModelBuilder.RandomInput(48, 3)], maxSteps: 1);
    }

    [Theory]
    [InlineData(0.05f)]
    [InlineData(0.03f)]
    public void Relu6_MatchesInterpreterExactly(float outputScale)
    {
        var b = new TinyModelBuilder();
        int x = b.Tensor("x", TensorType.UInt8, [1, 2, 3, 4], 0.05f);
        int y = b.Tensor("y", TensorType.UInt8, [1, 2, 3, 4], outputScale);
        b.Operator(BuiltinOperator.RELU6, [x], [y]);

        Compare(b.Build([x], [y]), [TinyModelBuilder.RandomInput(24, 4)], maxSteps: 0);
    }

    private OnnxExport Compare(byte[] modelBytes, byte[][] inputs, int maxSteps)
    {
        using var model = TfLiteModel.FromBytes(modelBytes);
        var expected = Interpret(model, inputs);
        var export = OnnxExporter.Export(model, new OnnxExportOptions { Flavor = OnnxExportFlavor.QuantizedUInt8 });
        using var runner = new OnnxRunner(export.ModelBytes);
        var actual = runner.Run(inputs)[0];
        Assert.Equal(TensorType.UInt8, actual.Type);
        int difference = ReferenceRuns.MaxAbsDifference(expected, actual.Bytes);
        output.WriteLine($"nodes: {string.Join(" ", export.NodeTypes)}; max difference {difference} steps");
        Assert.True(difference <= maxSteps, $"max difference {difference} quantization steps");
        return export;
    }

    private static byte[] Interpret(TfLiteModel model, byte[][] inputs)
    {
        using var interpreter = new Interpreter(model);
        interpreter.AllocateTensors();
        for (int i = 0; i < inputs.Length; i++) interpreter.Inputs[i].CopyFromBytes(inputs[i]);
        interpreter.Invoke();
        return interpreter.Outputs[0].AsReadOnlyBytes().ToArray();
    }
}
