using DeepLite.Runtime.Format;
using DeepLite.Runtime.Kernels;
using static DeepLite.Runtime.Tests.Kernels.ElementwiseTestSupport;
using static DeepLite.Runtime.Tests.Kernels.OptimizedKernelTestSupport;

namespace DeepLite.Runtime.Tests.Kernels;

/// <summary>The vectorized QUANTIZE paths against the reference, bit for bit, at every tier and length.</summary>
public sealed class QuantizeOptimizedTests
{
    /// <summary>Scales and zero points, including a power-of-two scale whose quotients hit the .5 ties exactly.</summary>
    private static readonly (float Scale, int ZeroPoint)[] Quantizations = [(0.25f, 0), (0.03f, 128), (0.0117f, 255), (3.5f, 37)];

    /// <summary>Seeded values with ties, ±0, NaN, infinities and values far outside every 8-bit range.</summary>
    private static float[] Values(int length, int seed)
    {
        var random = new Random(seed);
        var specials = new[] { float.NaN, float.PositiveInfinity, float.NegativeInfinity, -0f, 0f, 1e30f, -1e30f, 3e9f, -3e9f, float.Epsilon };
        var values = new float[length];
        for (int i = 0; i < length; i++)
        {
            values[i] = random.Next(8) switch
            {
                0 => specials[random.Next(specials.Length)],
                1 or 2 => random.Next(-600, 600) * 0.125f,
                _ => (random.NextSingle() - 0.5f) * 40f,
            };
        }
        return values;
    }

    [Fact]
    public void Quantize_QU8_Optimized_MatchesReference() => AssertFromF32MatchesReference<byte>(zeroPoint => zeroPoint);

    [Fact]
    public void Quantize_QS8_Optimized_MatchesReference() => AssertFromF32MatchesReference<sbyte>(zeroPoint => zeroPoint - 128);

    private static void AssertFromF32MatchesReference<T>(Func<int, int> zeroPointOf)
        where T : unmanaged, System.Numerics.IBinaryInteger<T>, System.Numerics.IMinMaxValue<T>
    {
        foreach (var (scale, zeroPoint) in Quantizations)
        {
            var quantization = new QuantizedOperand(scale, zeroPointOf(zeroPoint));
            foreach (int length in Lengths)
            {
                var x = Values(length, length + zeroPoint);
                var expected = new T[length];
                QuantizeReference.FromFloat<T>(x, expected, quantization);
                foreach (var tier in Tiers)
                {
                    var actual = new T[length];
                    QuantizeMicrokernels.FromF32<T>(x, actual, quantization.Scale, quantization.ZeroPoint, tier);
                    Assert.True(expected.AsSpan().SequenceEqual(actual), $"{tier} length {length} {quantization}");
                }
            }
        }
    }

    [Theory]
    [InlineData(TensorType.UInt8, TensorType.UInt8)]
    [InlineData(TensorType.UInt8, TensorType.Int8)]
    [InlineData(TensorType.Int8, TensorType.UInt8)]
    [InlineData(TensorType.Int8, TensorType.Int8)]
    public void Quantize_Q8_Requantize_Optimized_MatchesReference(TensorType from, TensorType to)
    {
        var bytes = Enumerable.Range(0, 256).Select(b => (byte)b).Concat(RandomBytes(300, 5)).ToArray();
        int[] shape = [bytes.Length];
        var input = from == TensorType.UInt8 ? UInt8(shape, 0.07f, 131, bytes) : Int8(shape, 0.07f, 3, bytes.Select(b => unchecked((sbyte)b)).ToArray());
        var output = to == TensorType.UInt8 ? UInt8([1], 0.045f, 120) : Int8([1], 0.045f, -8);
        var actual = Run(new QuantizeKernel(), BuiltinOperator.QUANTIZE, [input], output).AsReadOnlyBytes().ToArray();
        var fromQuantization = new QuantizedOperand(0.07f, from == TensorType.UInt8 ? 131 : 3);
        var toQuantization = new QuantizedOperand(0.045f, to == TensorType.UInt8 ? 120 : -8);
        var expected = new byte[bytes.Length];
        switch (from, to)
        {
            case (TensorType.UInt8, TensorType.UInt8):
                QuantizeReference.Requantize<byte, byte>(bytes, expected, fromQuantization, toQuantization);
                break;
            case (TensorType.UInt8, _):
                QuantizeReference.Requantize<byte, sbyte>(bytes, System.Runtime.InteropServices.MemoryMarshal.Cast<byte, sbyte>(expected.AsSpan()), fromQuantization, toQuantization);
                break;
            case (_, TensorType.UInt8):
                QuantizeReference.Requantize<sbyte, byte>(System.Runtime.InteropServices.MemoryMarshal.Cast<byte, sbyte>(bytes.AsSpan()), expected, fromQuantization, toQuantization);
                break;
            default:
                QuantizeReference.Requantize<sbyte, sbyte>(System.Runtime.InteropServices.MemoryMarshal.Cast<byte, sbyte>(bytes.AsSpan()),
                    System.Runtime.InteropServices.MemoryMarshal.Cast<byte, sbyte>(expected.AsSpan()), fromQuantization, toQuantization);
                break;
        }
        Assert.Equal(expected, actual);
    }

    [Theory]
    [InlineData(TensorType.UInt8)]
    [InlineData(TensorType.Int8)]
    [InlineData(TensorType.Int16)]
    public void Quantize_Optimized_MatchesReference_SplitAcrossWorkers(TensorType type)
    {
        int[] shape = [1, 224, 224, 3];
        var x = Values(Product(shape), 9);
        var quantization = new QuantizedOperand(0.03f, type == TensorType.UInt8 ? 128 : -1);
        var output = Tensor.Create(type, [1], new QuantizationParameters([quantization.Scale], [quantization.ZeroPoint], 0));
        var actual = RunWithThreads(new QuantizeKernel(), BuiltinOperator.QUANTIZE, [Float(shape, x)], output, default, threads: 2);
        switch (type)
        {
            case TensorType.UInt8:
            {
                var expected = new byte[x.Length];
                QuantizeReference.FromFloat<byte>(x, expected, quantization);
                Assert.Equal(expected, actual.ToArray<byte>());
                break;
            }
            case TensorType.Int8:
            {
                var expected = new sbyte[x.Length];
                QuantizeReference.FromFloat<sbyte>(x, expected, quantization);
                Assert.Equal(expected, actual.ToArray<sbyte>());
                break;
            }
            default:
            {
                var expected = new short[x.Length];
                QuantizeReference.FromFloat<short>(x, expected, quantization);
                Assert.Equal(expected, actual.ToArray<short>());
                break;
            }
        }
    }
}
