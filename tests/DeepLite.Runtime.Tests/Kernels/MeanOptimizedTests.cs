using DeepLite.Runtime.Format;
using DeepLite.Runtime.Kernels;
using static DeepLite.Runtime.Tests.Kernels.ElementwiseTestSupport;
using static DeepLite.Runtime.Tests.Kernels.OptimizedKernelTestSupport;

namespace DeepLite.Runtime.Tests.Kernels;

/// <summary>The vectorized MEAN pieces and the MEAN kernel against the reference, at every tier, length and reduction shape.</summary>
public sealed class MeanOptimizedTests
{
    private static Tensor Axes(params int[] axes) => Constant(TensorType.Int32, [axes.Length], axes);

    [Fact]
    public void Mean_Microkernels_MatchScalarLoops_AtEveryLengthAndTier()
    {
        foreach (int length in Lengths)
        {
            var floats = RandomFloats(length, length);
            var floatSums = RandomFloats(length, length + 1);
            var bytes = RandomBytes(length, length + 2);
            var sbytes = RandomSBytes(length, length + 3);
            var intSums = RandomBytes(length, length + 4).Select(b => b * 1000 - 50000).ToArray();
            foreach (var tier in Tiers)
            {
                var sums = floatSums.ToArray();
                MeanMicrokernels.AccumulateF32(floats, sums, tier);
                Assert.Equal(floatSums.Zip(floats, (s, x) => s + x), sums);
                var quotients = new float[length];
                MeanMicrokernels.DivideF32(floatSums, 7f, quotients, tier);
                Assert.Equal(floatSums.Select(s => s / 7f), quotients);

                var byteTotals = intSums.ToArray();
                MeanMicrokernels.AccumulateQ8<byte>(bytes, byteTotals, tier);
                Assert.Equal(intSums.Zip(bytes, (s, x) => s + x), byteTotals);
                var sbyteTotals = intSums.ToArray();
                MeanMicrokernels.AccumulateQ8<sbyte>(sbytes, sbyteTotals, tier);
                Assert.Equal(intSums.Zip(sbytes, (s, x) => s + x), sbyteTotals);

                Assert.Equal(bytes.Sum(b => b), MeanMicrokernels.SumQ8<byte>(bytes, tier));
                Assert.Equal(sbytes.Sum(b => b), MeanMicrokernels.SumQ8<sbyte>(sbytes, tier));
            }
        }
    }

    /// <summary>Height-and-width means over every test channel count, plus reductions of other axis blocks and of scattered axes.</summary>
    public static TheoryData<int[], int[]> Reductions()
    {
        var data = new TheoryData<int[], int[]>();
        foreach (int c in Channels) data.Add([2, 3, 5, c], [1, 2]);
        foreach (int depth in new[] { 1, 15, 16, 17, 63, 64, 65, 200 })
        {
            data.Add([3, depth], [-1]);
            data.Add([depth, 5], [0]);
        }
        data.Add([2, 3, 4, 5], [0, 2]);
        data.Add([2, 3, 4, 5], [1, 3]);
        data.Add([2, 2, 2, 2, 2], [0, 2, 4]);
        data.Add([1, 7, 1, 9], [1]);
        data.Add([4, 9], []);
        data.Add([3, 1, 6], [0, 1, 2]);
        data.Add([2, 0, 3], [1]);
        return data;
    }

    [Theory]
    [MemberData(nameof(Reductions))]
    public void Mean_F32_Optimized_MatchesReference(int[] shape, int[] axes)
    {
        var values = RandomFloats(Product(shape), Product(shape) + axes.Length);
        var output = Run(new MeanKernel(), BuiltinOperator.MEAN, [Float(shape, values), Axes(axes)], Float([1]), Options((0, true)));
        var expected = new float[output.ElementCount];
        MeanReference.F32(shape, values, axes, expected);
        Assert.Equal(expected, output.ToArray<float>());
    }

    [Theory]
    [MemberData(nameof(Reductions))]
    public void Mean_QU8_Optimized_MatchesReference(int[] shape, int[] axes)
    {
        var values = RandomBytes(Product(shape), Product(shape));
        var output = Run(new MeanKernel(), BuiltinOperator.MEAN, [UInt8(shape, 0.1f, 120, values), Axes(axes)], UInt8([1], 0.05f, 100), Options((0, false)));
        var expected = new byte[output.ElementCount];
        MeanReference.Quantized<byte>(shape, values, axes, expected, Parameters(shape, axes, new(0.1f, 120), new(0.05f, 100), TensorType.UInt8));
        Assert.Equal(expected, output.ToArray<byte>());
    }

    [Theory]
    [MemberData(nameof(Reductions))]
    public void Mean_QS8_Optimized_MatchesReference(int[] shape, int[] axes)
    {
        var values = RandomSBytes(Product(shape), Product(shape) + 1);
        var output = Run(new MeanKernel(), BuiltinOperator.MEAN, [Int8(shape, 0.07f, -3, values), Axes(axes)], Int8([1], 0.03f, 5), Options((0, true)));
        var expected = new sbyte[output.ElementCount];
        MeanReference.Quantized<sbyte>(shape, values, axes, expected, Parameters(shape, axes, new(0.07f, -3), new(0.03f, 5), TensorType.Int8));
        Assert.Equal(expected, output.ToArray<sbyte>());
    }

    private static QuantizedMeanParameters Parameters(int[] shape, int[] axes, QuantizedOperand input, QuantizedOperand output, TensorType type) =>
        QuantizedMeanParameters.Create(input, output, axes.Select(a => a < 0 ? a + shape.Length : a).Distinct().Select(a => shape[a]).Aggregate(1, (x, y) => x * y), type);

    [Theory]
    [InlineData(new[] { 1, 20, 20, 200 }, new[] { 1, 2 })]
    [InlineData(new[] { 700, 100 }, new[] { 1 })]
    [InlineData(new[] { 100, 700 }, new[] { 0 })]
    public void Mean_Optimized_MatchesReference_SplitAcrossWorkers(int[] shape, int[] axes)
    {
        int n = Product(shape);
        var floats = RandomFloats(n, 1);
        var floatOutput = RunWithThreads(new MeanKernel(), BuiltinOperator.MEAN, [Float(shape, floats), Axes(axes)], Float([1]), Options((0, false)), threads: 2);
        var expectedFloats = new float[floatOutput.ElementCount];
        MeanReference.F32(shape, floats, axes, expectedFloats);
        Assert.Equal(expectedFloats, floatOutput.ToArray<float>());

        var bytes = RandomBytes(n, 2);
        var byteOutput = RunWithThreads(new MeanKernel(), BuiltinOperator.MEAN, [UInt8(shape, 0.1f, 7, bytes), Axes(axes)], UInt8([1], 0.2f, 9), Options((0, false)), threads: 2);
        var expectedBytes = new byte[byteOutput.ElementCount];
        MeanReference.Quantized<byte>(shape, bytes, axes, expectedBytes, Parameters(shape, axes, new(0.1f, 7), new(0.2f, 9), TensorType.UInt8));
        Assert.Equal(expectedBytes, byteOutput.ToArray<byte>());
    }
}
