using DeepLite.Runtime.Kernels;
using static DeepLite.Runtime.Tests.Kernels.ElementwiseTestSupport;

namespace DeepLite.Runtime.Tests.Kernels;

public sealed class DequantizeTests
{
    [Fact]
    public void Dequantize_QU8_MatchesHandComputed()
    {
        var output = Run(new DequantizeKernel(), BuiltinOperator.DEQUANTIZE, [UInt8([3], 0.5f, 10, 10, 14, 0)], Float([3]));
        Assert.Equal(new[] { 0f, 2f, -5f }, output.ToArray<float>());
    }

    [Fact]
    public void Dequantize_QS8_And_Int16_MatchHandComputed()
    {
        var output = Run(new DequantizeKernel(), BuiltinOperator.DEQUANTIZE, [Int8([2], 0.25f, -1, -128, 127)], Float([2]));
        Assert.Equal(new[] { -31.75f, 32f }, output.ToArray<float>());
        var int16 = Tensor.Create(TensorType.Int16, [2], new QuantizationParameters([0.001f], [0], 0));
        int16.CopyFrom<short>([1000, -32768]);
        var wide = Run(new DequantizeKernel(), BuiltinOperator.DEQUANTIZE, [int16], Float([2]));
        Assert.Equal(new[] { (float)(0.001f * 1000.0), (float)(0.001f * -32768.0) }, wide.ToArray<float>());
    }

    [Fact]
    public void Dequantize_PerChannelQS8_UsesEachChannelsScale()
    {
        var quantization = new QuantizationParameters([0.5f, 2f], [0, 1], 0);
        var weights = Constant(TensorType.Int8, [2, 3], new sbyte[] { 2, 4, -6, 1, 2, 3 }, quantization);
        var output = Run(new DequantizeKernel(), BuiltinOperator.DEQUANTIZE, [weights], Float([2, 3]));
        Assert.Equal(new[] { 1f, 2f, -3f, 0f, 2f, 4f }, output.ToArray<float>());
    }

    [Fact]
    public void Dequantize_Float16_IsExact()
    {
        var values = new[] { (Half)1.5f, (Half)(-0.099975586f), Half.MaxValue, Half.NegativeInfinity };
        var output = Run(new DequantizeKernel(), BuiltinOperator.DEQUANTIZE, [Constant(TensorType.Float16, [4], values)], Float([4]));
        Assert.Equal(values.Select(h => (float)h), output.ToArray<float>());
    }

    [Fact]
    public void Dequantize_ToInt8_IsUnsupported()
    {
        var context = Context(BuiltinOperator.DEQUANTIZE, [UInt8([1], 1f, 0)], Int8([1], 1f, 0));
        Assert.Throws<UnsupportedOperatorException>(() => new DequantizeKernel().Prepare(context));
    }

    [Fact]
    public void Dequantize_Prepare_RejectsMissingQuantization()
    {
        var context = Context(BuiltinOperator.DEQUANTIZE, [Tensor.Create(TensorType.UInt8, [1])], Float([1]));
        Assert.Throws<ModelFormatException>(() => new DequantizeKernel().Prepare(context));
    }
}
