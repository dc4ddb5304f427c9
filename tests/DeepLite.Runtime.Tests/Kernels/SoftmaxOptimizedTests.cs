using DeepLite.Runtime.Format;
using DeepLite.Runtime.Kernels;
using static DeepLite.Runtime.Tests.Kernels.ElementwiseTestSupport;
using static DeepLite.Runtime.Tests.Kernels.OptimizedKernelTestSupport;

namespace DeepLite.Runtime.Tests.Kernels;

/// <summary>The vectorized SOFTMAX rows against the reference: 8-bit bit-exact, float32 within float rounding.</summary>
public sealed class SoftmaxOptimizedTests
{
    /// <summary>(input scale, beta) pairs: typical logits, a sharp table whose small entries underflow, a flat one.</summary>
    private static readonly (float Scale, float Beta)[] Tables = [(0.08f, 1f), (0.5f, 2f), (0.003f, 0.7f)];

    [Fact]
    public void Softmax_QU8_Optimized_MatchesReference() => AssertQ8MatchesReference<byte>(RandomBytes, 0);

    [Fact]
    public void Softmax_QS8_Optimized_MatchesReference() => AssertQ8MatchesReference<sbyte>(RandomSBytes, -128);

    private static void AssertQ8MatchesReference<T>(Func<int, int, T[]> random, int zeroPoint)
        where T : unmanaged, System.Numerics.IBinaryInteger<T>, System.Numerics.IMinMaxValue<T>
    {
        foreach (var (scale, beta) in Tables)
        {
            var table = SoftmaxReference.ExpTable(scale, beta);
            foreach (int depth in Lengths.Where(n => n > 0))
            {
                var rows = new[]
                {
                    random(depth, depth),
                    random(depth, depth + 1).Select(v => T.CreateTruncating(int.CreateTruncating(v) / 16)).ToArray(),
                    Enumerable.Repeat(random(1, depth + 2)[0], depth).ToArray(),
                };
                foreach (var x in rows)
                {
                    var expected = new T[depth];
                    SoftmaxReference.Quantized<T>(x, expected, depth, table, 1f / 256, zeroPoint);
                    foreach (var tier in Tiers)
                    {
                        var actual = new T[depth];
                        SoftmaxMicrokernels.Q8<T>(x, actual, table, 1f / 256, zeroPoint, tier);
                        Assert.True(expected.AsSpan().SequenceEqual(actual), $"{tier} depth {depth} scale {scale} beta {beta}");
                    }
                }
            }
        }
    }

    [Fact]
    public void Softmax_Q8_QuantizeProbabilities_MatchesScalarRounding_AtTies()
    {
        // Probabilities at and just around the .5 ties of both rounding rules.
        var exponentials = Enumerable.Range(0, 256).Select(k => (k / 2f) + (k % 4 == 1 ? 1e-5f : k % 4 == 3 ? -1e-5f : 0f)).ToArray();
        foreach (var tier in Tiers)
        {
            var bytes = new byte[256];
            SoftmaxMicrokernels.QuantizeProbabilities<byte>(exponentials, 1f, 0, bytes, tier);
            Assert.Equal(exponentials.Select(e => (byte)Math.Clamp((int)(e + 0.5f), 0, 255)), bytes);
            var sbytes = new sbyte[256];
            SoftmaxMicrokernels.QuantizeProbabilities<sbyte>(exponentials, 1f, -128, sbytes, tier);
            Assert.Equal(exponentials.Select(e => (sbyte)Math.Clamp((int)MathF.Round(e, MidpointRounding.AwayFromZero) - 128, -128, 127)), sbytes);
        }
    }

    [Fact]
    public void Softmax_F32_Optimized_MatchesReference()
    {
        foreach (float beta in new[] { 1f, 0.25f, 3f })
        {
            foreach (int depth in Lengths.Where(n => n > 0))
            {
                var x = RandomFloats(depth, depth, -20f, 20f);
                if (depth > 2) x[depth / 2] = float.NegativeInfinity;
                var expected = new float[depth];
                SoftmaxReference.F32(x, expected, depth, beta);
                foreach (var tier in Tiers)
                {
                    var actual = new float[depth];
                    SoftmaxMicrokernels.F32(x, actual, beta, tier);
                    for (int j = 0; j < depth; j++)
                    {
                        Assert.True(Math.Abs(actual[j] - expected[j]) <= 1e-7f + (2e-6f * expected[j]), $"{tier} depth {depth} beta {beta} [{j}]: {actual[j]} vs {expected[j]}");
                    }
                }
            }
        }
    }

    [Fact]
    public void Softmax_F32_Optimized_PropagatesNaN_LikeReference()
    {
        var x = RandomFloats(40, 3);
        x[17] = float.NaN;
        foreach (var tier in Tiers)
        {
            var actual = new float[40];
            SoftmaxMicrokernels.F32(x, actual, 1f, tier);
            Assert.All(actual, v => Assert.True(float.IsNaN(v)));
        }
    }

    [Theory]
    [InlineData(TensorType.Float32)]
    [InlineData(TensorType.UInt8)]
    [InlineData(TensorType.Int8)]
    public void Softmax_Optimized_MatchesReference_SplitAcrossWorkers(TensorType type)
    {
        int[] shape = [1, 64, 64, 21];
        int n = Product(shape);
        switch (type)
        {
            case TensorType.Float32:
            {
                var x = RandomFloats(n, 1);
                var expected = new float[n];
                SoftmaxReference.F32(x, expected, 21, 1f);
                var output = RunWithThreads(new SoftmaxKernel(), BuiltinOperator.SOFTMAX, [Float(shape, x)], Float([1]), Options((0, 1f)), threads: 2).ToArray<float>();
                for (int i = 0; i < n; i++) Assert.True(Math.Abs(output[i] - expected[i]) <= 1e-7f + (2e-6f * expected[i]), $"[{i}]");
                break;
            }
            case TensorType.UInt8:
            {
                var x = RandomBytes(n, 2);
                var expected = new byte[n];
                SoftmaxReference.Quantized<byte>(x, expected, 21, SoftmaxReference.ExpTable(0.1f, 1f), 1f / 256, 0);
                var output = RunWithThreads(new SoftmaxKernel(), BuiltinOperator.SOFTMAX, [UInt8(shape, 0.1f, 3, x)], UInt8([1], 1f / 256, 0), Options((0, 1f)), threads: 2);
                Assert.Equal(expected, output.ToArray<byte>());
                break;
            }
            default:
            {
                var x = RandomSBytes(n, 3);
                var expected = new sbyte[n];
                SoftmaxReference.Quantized<sbyte>(x, expected, 21, SoftmaxReference.ExpTable(0.1f, 1f), 1f / 256, -128);
                var output = RunWithThreads(new SoftmaxKernel(), BuiltinOperator.SOFTMAX, [Int8(shape, 0.1f, 3, x)], Int8([1], 1f / 256, -128), Options((0, 1f)), threads: 2);
                Assert.Equal(expected, output.ToArray<sbyte>());
                break;
            }
        }
    }
}
