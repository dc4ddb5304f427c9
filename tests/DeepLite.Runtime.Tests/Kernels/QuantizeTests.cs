using DeepLite.Runtime.Kernels;
using static DeepLite.Runtime.Tests.Kernels.ElementwiseTestSupport;

namespace DeepLite.Runtime.Tests.Kernels;

public sealed class QuantizeTests
{
    [Fact]
    public void Quantize_F32ToQU8_RoundsHalfAwayFromZero_AndSaturates()
    {
        var output = Run(new QuantizeKernel(), BuiltinOperator.QUANTIZE, [Float([6], 0f, 0.25f, -0.25f, 1f, 100f, -100f)], UInt8([6], 0.5f, 10));
        Assert.Equal(new byte[] { 10, 11, 9, 12, 210, 0 }, output.ToArray<byte>());
    }

    [Fact]
    public void Quantize_F32ToQS8_MatchesHandComputed()
    {
        var output = Run(new QuantizeKernel(), BuiltinOperator.QUANTIZE, [Float([4], 0.3f, -0.3f, 1000f, float.NaN)], Int8([4], 0.1f, -5));
        Assert.Equal(new sbyte[] { -2, -8, 127, -5 }, output.ToArray<sbyte>());
    }

    [Fact]
    public void Quantize_QS8ToQU8_WithSameScale_ShiftsByTheZeroPointDifference()
    {
        var values = Enumerable.Range(-128, 256).Select(v => (sbyte)v).ToArray();
        var output = Run(new QuantizeKernel(), BuiltinOperator.QUANTIZE, [Int8([256], 0.1f, -3, values)], UInt8([256], 0.1f, 125));
        Assert.Equal(values.Select(v => (byte)(v + 128)), output.ToArray<byte>());
    }

    [Fact]
    public void Quantize_QU8ToQU8_Requantizes()
    {
        // Stored 140 at scale 0.2, zero point 100 is 8.0 real; at scale 0.5, zero point 0 that is 16.
        // Stored 101 is 0.4 output steps, which TFLite's two roundings (high multiply, then shift) take to 1.
        var output = Run(new QuantizeKernel(), BuiltinOperator.QUANTIZE, [UInt8([2], 0.2f, 100, 140, 101)], UInt8([2], 0.5f, 0));
        Assert.Equal(new byte[] { 16, 1 }, output.ToArray<byte>());
    }

    [Fact]
    public void Quantize_Int32Input_IsUnsupported()
    {
        var context = Context(BuiltinOperator.QUANTIZE, [Int32([2], 1, 2)], Int8([2], 1f, 0));
        Assert.Throws<UnsupportedOperatorException>(() => new QuantizeKernel().Prepare(context));
    }

    [Fact]
    public void Quantize_Prepare_RejectsZeroScale()
    {
        var context = Context(BuiltinOperator.QUANTIZE, [Float([2])], Int8([2], 0f, 0));
        Assert.Throws<ModelFormatException>(() => new QuantizeKernel().Prepare(context));
    }
}
