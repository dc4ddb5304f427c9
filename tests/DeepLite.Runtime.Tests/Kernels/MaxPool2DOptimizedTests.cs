using DeepLite.Runtime.Format;
using DeepLite.Runtime.Kernels;
using DeepLite.Runtime.Quantization;
using static DeepLite.Runtime.Tests.Kernels.AveragePool2DTests;
using static DeepLite.Runtime.Tests.Kernels.ElementwiseTestSupport;
using static DeepLite.Runtime.Tests.Kernels.OptimizedKernelTestSupport;

namespace DeepLite.Runtime.Tests.Kernels;

/// <summary>The channel-vectorized max-pooling microkernels against the reference, at every tier and across channel tile edges.</summary>
public sealed class MaxPool2DOptimizedTests
{
    [Theory]
    [MemberData(nameof(AveragePool2DOptimizedTests.PoolCases), MemberType = typeof(AveragePool2DOptimizedTests))]
    public void MaxPool2D_F32_Optimized_MatchesReference(int height, int width, int channels, Padding padding, int stride, int filter)
    {
        var g = Geometry(2, height, width, channels, padding, stride, filter);
        var input = RandomFloats(2 * height * width * channels, (width * 100) + channels);
        input[0] = float.NaN;
        input[^1] = float.NegativeInfinity;
        input[input.Length / 2] = float.PositiveInfinity;
        var expected = new float[2 * g.OutputHeight * g.OutputWidth * channels];
        MaxPool2DReference.F32(g, input, expected, -3f, float.PositiveInfinity);
        foreach (var tier in Tiers)
        {
            var actual = new float[expected.Length];
            Pool2DMicrokernels.MaxF32(g, input, actual, -3f, float.PositiveInfinity, tier, 0, actual.Length / channels);
            Assert.True(expected.AsSpan().SequenceEqual(actual), $"{tier}");
        }
    }

    [Theory]
    [MemberData(nameof(AveragePool2DOptimizedTests.PoolCases), MemberType = typeof(AveragePool2DOptimizedTests))]
    public void MaxPool2D_QU8_Optimized_MatchesReference(int height, int width, int channels, Padding padding, int stride, int filter) =>
        AssertMaxQ8(RandomBytes(height * width * channels, width + channels), Geometry(1, height, width, channels, padding, stride, filter), 20, 200);

    [Theory]
    [MemberData(nameof(AveragePool2DOptimizedTests.PoolCases), MemberType = typeof(AveragePool2DOptimizedTests))]
    public void MaxPool2D_QS8_Optimized_MatchesReference(int height, int width, int channels, Padding padding, int stride, int filter) =>
        AssertMaxQ8(RandomSBytes(height * width * channels, width + (3 * channels)), Geometry(1, height, width, channels, padding, stride, filter), -100, 127);

    private static void AssertMaxQ8<T>(T[] input, Pool2DGeometry g, int min, int max)
        where T : unmanaged, System.Numerics.IBinaryInteger<T>
    {
        var expected = new T[g.Batches * g.OutputHeight * g.OutputWidth * g.Channels];
        MaxPool2DReference.Quantized<T>(g, input, expected, min, max);
        foreach (var tier in Tiers)
        {
            var actual = new T[expected.Length];
            Pool2DMicrokernels.MaxQ8<T>(g, input, actual, min, max, tier, 0, actual.Length / g.Channels);
            Assert.True(expected.AsSpan().SequenceEqual(actual), $"{tier}");
        }
    }

    [Fact]
    public void MaxPool2D_QU8_Optimized_MatchesReference_SplitAcrossWorkers()
    {
        int[] shape = [1, 56, 56, 64];
        var input = RandomBytes(Product(shape), 4);
        var g = Geometry(1, 56, 56, 64, Padding.Same, 2, 3);
        var (min, max) = QuantizedRange.ForActivation(FusedActivation.Relu, TensorType.UInt8, 0.1f, 30);
        var expected = new byte[g.OutputHeight * g.OutputWidth * 64];
        MaxPool2DReference.Quantized<byte>(g, input, expected, min, max);
        var output = RunWithThreads(new MaxPool2DKernel(), BuiltinOperator.MAX_POOL_2D, [UInt8(shape, 0.1f, 30, input)], UInt8([1], 0.1f, 30),
            PoolOptions(Padding.Same, 2, 3, FusedActivation.Relu), threads: 2);
        Assert.Equal(expected, output.ToArray<byte>());
    }

    [Fact]
    public void MaxPool2D_F32_Optimized_MatchesReference_SplitAcrossWorkers()
    {
        int[] shape = [1, 56, 56, 64];
        var input = RandomFloats(Product(shape), 5);
        var g = Geometry(1, 56, 56, 64, Padding.Same, 2, 3);
        var expected = new float[g.OutputHeight * g.OutputWidth * 64];
        MaxPool2DReference.F32(g, input, expected, float.NegativeInfinity, float.PositiveInfinity);
        var output = RunWithThreads(new MaxPool2DKernel(), BuiltinOperator.MAX_POOL_2D, [Float(shape, input)], Float([1]),
            PoolOptions(Padding.Same, 2, 3), threads: 2);
        Assert.Equal(expected, output.ToArray<float>());
    }
}
