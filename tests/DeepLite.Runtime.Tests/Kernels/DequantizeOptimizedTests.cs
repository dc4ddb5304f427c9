using DeepLite.Runtime.Format;
using DeepLite.Runtime.Kernels;
using static DeepLite.Runtime.Tests.Kernels.ElementwiseTestSupport;
using static DeepLite.Runtime.Tests.Kernels.OptimizedKernelTestSupport;

namespace DeepLite.Runtime.Tests.Kernels;

/// <summary>The vectorized DEQUANTIZE path against the reference's float64 product, bit for bit, at every tier and length.</summary>
public sealed class DequantizeOptimizedTests
{
    /// <summary>Scales from subnormal results to overflow, with zero points across the range.</summary>
    private static readonly (float Scale, int ZeroPoint)[] Quantizations = [(0.0235f, 131), (1e-40f, 7), (3e36f, 0), (0.1f, 255), (1f / 3, 128)];

    [Fact]
    public void Dequantize_QU8_Optimized_MatchesReference() => AssertMatchesReference(RandomBytes, zeroPoint => zeroPoint);

    [Fact]
    public void Dequantize_QS8_Optimized_MatchesReference() => AssertMatchesReference(RandomSBytes, zeroPoint => zeroPoint - 128);

    private static void AssertMatchesReference<T>(Func<int, int, T[]> random, Func<int, int> zeroPointOf)
        where T : unmanaged, System.Numerics.IBinaryInteger<T>
    {
        foreach (var (scale, zeroPoint) in Quantizations)
        {
            foreach (int length in Lengths)
            {
                var q = random(length, length + zeroPoint);
                var expected = new float[length];
                DequantizeReference.PerTensor<T>(q, expected, scale, zeroPointOf(zeroPoint));
                foreach (var tier in Tiers)
                {
                    var actual = new float[length];
                    DequantizeMicrokernels.ToF32<T>(q, actual, scale, zeroPointOf(zeroPoint), tier);
                    Assert.True(expected.AsSpan().SequenceEqual(actual), $"{tier} length {length} scale {scale}");
                }
            }
        }
    }

    [Fact]
    public void Dequantize_Q8_Optimized_MatchesReference_ForEveryStoredValue()
    {
        var bytes = Enumerable.Range(0, 256).Select(b => (byte)b).ToArray();
        var sbytes = bytes.Select(b => unchecked((sbyte)b)).ToArray();
        foreach (float scale in new[] { 0.0078125f, 0.0235f, 1.7e-3f, 123.456f })
        {
            var expected = new float[256];
            DequantizeReference.PerTensor<byte>(bytes, expected, scale, 128);
            Assert.Equal(expected, Run(new DequantizeKernel(), BuiltinOperator.DEQUANTIZE, [UInt8([256], scale, 128, bytes)], Float([256])).ToArray<float>());
            DequantizeReference.PerTensor<sbyte>(sbytes, expected, scale, -5);
            Assert.Equal(expected, Run(new DequantizeKernel(), BuiltinOperator.DEQUANTIZE, [Int8([256], scale, -5, sbytes)], Float([256])).ToArray<float>());
        }
    }

    [Theory]
    [InlineData(TensorType.UInt8)]
    [InlineData(TensorType.Int8)]
    public void Dequantize_Optimized_MatchesReference_SplitAcrossWorkers(TensorType type)
    {
        int[] shape = [1, 224, 224, 3];
        int n = Product(shape);
        var bytes = RandomBytes(n, 11);
        var expected = new float[n];
        Tensor input;
        if (type == TensorType.UInt8)
        {
            DequantizeReference.PerTensor<byte>(bytes, expected, 0.03f, 128);
            input = UInt8(shape, 0.03f, 128, bytes);
        }
        else
        {
            var sbytes = bytes.Select(b => unchecked((sbyte)b)).ToArray();
            DequantizeReference.PerTensor<sbyte>(sbytes, expected, 0.03f, -1);
            input = Int8(shape, 0.03f, -1, sbytes);
        }
        var output = RunWithThreads(new DequantizeKernel(), BuiltinOperator.DEQUANTIZE, [input], Float([1]), default, threads: 2);
        Assert.Equal(expected, output.ToArray<float>());
    }
}
