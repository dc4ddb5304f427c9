using System.Runtime.Intrinsics;
using DeepLite.Runtime.Format;
using DeepLite.Runtime.Kernels;
using DeepLite.Runtime.Quantization;
using static DeepLite.Runtime.Tests.Kernels.AveragePool2DTests;
using static DeepLite.Runtime.Tests.Kernels.ElementwiseTestSupport;
using static DeepLite.Runtime.Tests.Kernels.OptimizedKernelTestSupport;

namespace DeepLite.Runtime.Tests.Kernels;

/// <summary>The channel-vectorized pooling microkernels against the reference, at every tier and across channel tile edges.</summary>
public sealed class AveragePool2DOptimizedTests
{
    /// <summary>Windows (height, width, padding, stride, filter): global, overlapping SAME, strided VALID, filter past the edges.</summary>
    private static readonly (int Height, int Width, Padding Padding, int Stride, int Filter)[] Windows =
    [
        (7, 7, Padding.Valid, 1, 7),
        (5, 6, Padding.Same, 1, 3),
        (6, 5, Padding.Valid, 2, 2),
        (3, 4, Padding.Same, 2, 5),
        (1, 1, Padding.Same, 1, 1),
    ];

    /// <summary>Every window shape with every channel count of <see cref="OptimizedKernelTestSupport.Channels"/>.</summary>
    public static TheoryData<int, int, int, Padding, int, int> PoolCases()
    {
        var data = new TheoryData<int, int, int, Padding, int, int>();
        foreach (var w in Windows)
        {
            foreach (int c in Channels) data.Add(w.Height, w.Width, c, w.Padding, w.Stride, w.Filter);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(PoolCases))]
    public void AveragePool2D_F32_Optimized_MatchesReference(int height, int width, int channels, Padding padding, int stride, int filter)
    {
        var g = Geometry(2, height, width, channels, padding, stride, filter);
        var input = RandomFloats(2 * height * width * channels, (height * 100) + channels, -8f, 8f);
        var expected = new float[2 * g.OutputHeight * g.OutputWidth * channels];
        AveragePool2DReference.F32(g, input, expected, -1f, 6f);
        foreach (var tier in Tiers)
        {
            var actual = new float[expected.Length];
            Pool2DMicrokernels.AverageF32(g, input, actual, -1f, 6f, tier, 0, actual.Length / channels);
            Assert.True(expected.AsSpan().SequenceEqual(actual), $"{tier}");
        }
    }

    [Theory]
    [MemberData(nameof(PoolCases))]
    public void AveragePool2D_QU8_Optimized_MatchesReference(int height, int width, int channels, Padding padding, int stride, int filter) =>
        AssertAverageQ8(RandomBytes(2 * height * width * channels, height + (7 * channels)), Geometry(2, height, width, channels, padding, stride, filter), 3, 250);

    [Theory]
    [MemberData(nameof(PoolCases))]
    public void AveragePool2D_QS8_Optimized_MatchesReference(int height, int width, int channels, Padding padding, int stride, int filter) =>
        AssertAverageQ8(RandomSBytes(2 * height * width * channels, height + (5 * channels)), Geometry(2, height, width, channels, padding, stride, filter), -128, 100);

    [Fact]
    public void AveragePool2D_Q8_Optimized_MatchesReference_AtTheExtremes()
    {
        var g = Geometry(1, 7, 7, 80, Padding.Same, 1, 4);
        AssertAverageQ8(Enumerable.Repeat((byte)255, 7 * 7 * 80).ToArray(), g, 0, 255);
        AssertAverageQ8(Enumerable.Repeat((sbyte)-128, 7 * 7 * 80).ToArray(), g, -128, 127);
        AssertAverageQ8(Enumerable.Range(0, 7 * 7 * 80).Select(i => (sbyte)(i % 2 == 0 ? -128 : 127)).ToArray(), g, -128, 127);
    }

    private static void AssertAverageQ8<T>(T[] input, Pool2DGeometry g, int min, int max)
        where T : unmanaged, System.Numerics.IBinaryInteger<T>
    {
        var expected = new T[g.Batches * g.OutputHeight * g.OutputWidth * g.Channels];
        AveragePool2DReference.Quantized<T>(g, input, expected, min, max);
        foreach (var tier in Tiers)
        {
            var actual = new T[expected.Length];
            Pool2DMicrokernels.AverageQ8<T>(g, input, actual, min, max, tier, 0, actual.Length / g.Channels);
            Assert.True(expected.AsSpan().SequenceEqual(actual), $"{tier}");
        }
    }

    [Fact]
    public void RoundedDivide_Vector_MatchesScalar_ForEveryEightBitSum()
    {
        var counts = Enumerable.Range(1, 300).Concat([1000, 4095, 4096, 4097, 30000, 65535]);
        foreach (int count in counts)
        {
            int step = Math.Max(1, count / 50);
            for (int start = -128 * count; start <= 255 * count; start += 16 * step)
            {
                var totals = Vector512.Create(Enumerable.Range(0, 16).Select(k => Math.Min(start + (k * step), 255 * count)).ToArray());
                var quotients = Pool2DMicrokernels.RoundedDivide(totals, Vector512.Create(count), Vector512.Create(count / 2), Vector512.Create(1f / count));
                for (int k = 0; k < 16; k++) Assert.Equal(AveragePool2DReference.RoundedDivide(totals[k], count), quotients[k]);
            }
        }
    }

    [Theory]
    [InlineData(TensorType.Float32)]
    [InlineData(TensorType.UInt8)]
    [InlineData(TensorType.Int8)]
    public void AveragePool2D_Optimized_MatchesReference_SplitAcrossWorkers(TensorType type)
    {
        int[] shape = [2, 20, 19, 40];
        int n = Product(shape);
        var g = Geometry(2, 20, 19, 40, Padding.Same, 1, 3);
        var options = PoolOptions(Padding.Same, 1, 3, FusedActivation.Relu6);
        switch (type)
        {
            case TensorType.Float32:
            {
                var input = RandomFloats(n, 1, -2f, 8f);
                var expected = new float[n];
                AveragePool2DReference.F32(g, input, expected, 0f, 6f);
                var output = RunWithThreads(new AveragePool2DKernel(), BuiltinOperator.AVERAGE_POOL_2D, [Float(shape, input)], Float([1]), options, threads: 2);
                Assert.Equal(expected, output.ToArray<float>());
                break;
            }
            case TensorType.UInt8:
            {
                var input = RandomBytes(n, 2);
                var (min, max) = QuantizedRange.ForActivation(FusedActivation.Relu6, TensorType.UInt8, 0.03f, 10);
                var expected = new byte[n];
                AveragePool2DReference.Quantized<byte>(g, input, expected, min, max);
                var output = RunWithThreads(new AveragePool2DKernel(), BuiltinOperator.AVERAGE_POOL_2D, [UInt8(shape, 0.03f, 10, input)], UInt8([1], 0.03f, 10), options, threads: 2);
                Assert.Equal(expected, output.ToArray<byte>());
                break;
            }
            default:
            {
                var input = RandomSBytes(n, 3);
                var (min, max) = QuantizedRange.ForActivation(FusedActivation.Relu6, TensorType.Int8, 0.03f, -10);
                var expected = new sbyte[n];
                AveragePool2DReference.Quantized<sbyte>(g, input, expected, min, max);
                var output = RunWithThreads(new AveragePool2DKernel(), BuiltinOperator.AVERAGE_POOL_2D, [Int8(shape, 0.03f, -10, input)], Int8([1], 0.03f, -10), options, threads: 2);
                Assert.Equal(expected, output.ToArray<sbyte>());
                break;
            }
        }
    }
}
