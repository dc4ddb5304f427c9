using DeepLite.Runtime.Kernels;
using DeepLite.Runtime.Quantization;
using static DeepLite.Runtime.Tests.Kernels.AveragePool2DTests;
using static DeepLite.Runtime.Tests.Kernels.ElementwiseTestSupport;

namespace DeepLite.Runtime.Tests.Kernels;

public sealed class MaxPool2DTests
{
    [Fact]
    public void MaxPool2D_F32_Reference_MatchesHandComputed()
    {
        var g = Geometry(1, 3, 3, 1, Padding.Same, 2, 2);
        var input = new float[] { -1, -2, -3, -4, -5, -6, -7, -8, -9 };
        var output = new float[4];
        MaxPool2DReference.F32(g, input, output, float.NegativeInfinity, float.PositiveInfinity);
        Assert.Equal(new[] { -1f, -3f, -7f, -9f }, output);
    }

    [Theory]
    [MemberData(nameof(Geometries), MemberType = typeof(AveragePool2DTests))]
    public void MaxPool2D_F32_Optimized_MatchesReference(int height, int width, int channels, Padding padding, int stride, int filter)
    {
        var g = Geometry(2, height, width, channels, padding, stride, filter);
        var input = RandomFloats(2 * height * width * channels, width * 100 + channels);
        input[0] = float.NaN;
        var expected = new float[2 * g.OutputHeight * g.OutputWidth * channels];
        MaxPool2DReference.F32(g, input, expected, -1f, 1f);
        var actual = new float[expected.Length];
        Pool2DMicrokernels.MaxF32(g, input, actual, -1f, 1f, VectorTiers.Best, 0, actual.Length / channels);
        Assert.Equal(expected, actual);
    }

    [Theory]
    [MemberData(nameof(Geometries), MemberType = typeof(AveragePool2DTests))]
    public void MaxPool2D_QU8_Optimized_MatchesReference(int height, int width, int channels, Padding padding, int stride, int filter)
    {
        var g = Geometry(1, height, width, channels, padding, stride, filter);
        var input = RandomBytes(height * width * channels, width + channels);
        var expected = new byte[g.OutputHeight * g.OutputWidth * channels];
        MaxPool2DReference.Quantized<byte>(g, input, expected, 0, 200);
        var actual = new byte[expected.Length];
        Pool2DMicrokernels.MaxQ8<byte>(g, input, actual, 0, 200, VectorTiers.Best, 0, actual.Length / channels);
        Assert.Equal(expected, actual);
    }

    [Fact]
    public void MaxPool2D_QS8_Kernel_MatchesHandComputed_WithRelu6()
    {
        // Scale 0.5, zero point -10: RELU6 clamps stored values to [-10, 2].
        var input = Int8([1, 2, 2, 2], 0.5f, -10, -20, 5, -15, -1, -12, -3, -30, 1);
        var output = Run(new MaxPool2DKernel(), BuiltinOperator.MAX_POOL_2D, [input], Int8([1, 1, 1, 2], 0.5f, -10),
            PoolOptions(Padding.Valid, 1, 2, FusedActivation.Relu6));
        Assert.Equal(new sbyte[] { -10, 2 }, output.ToArray<sbyte>());
    }

    [Fact]
    public void MaxPool2D_F32_Kernel_SetsOutputShape()
    {
        var output = Run(new MaxPool2DKernel(), BuiltinOperator.MAX_POOL_2D, [Float([1, 5, 4, 3])], Float([1]), PoolOptions(Padding.Same, 2, 3));
        Assert.Equal([1, 3, 2, 3], output.Shape.ToArray());
    }

    [Fact]
    public void MaxPool2D_Int32_IsUnsupported()
    {
        var context = Context(BuiltinOperator.MAX_POOL_2D, [Int32([1, 2, 2, 1])], Int32([1, 1, 1, 1]), PoolOptions(Padding.Valid, 1, 2));
        Assert.Throws<UnsupportedOperatorException>(() => new MaxPool2DKernel().Prepare(context));
    }
}
