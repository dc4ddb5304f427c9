using DeepLite.Runtime.Format;
using DeepLite.Runtime.Kernels;
using static DeepLite.Runtime.Tests.Kernels.ElementwiseTestSupport;
using static DeepLite.Runtime.Tests.Kernels.OptimizedKernelTestSupport;

namespace DeepLite.Runtime.Tests.Kernels;

/// <summary>The channel-vectorized RESIZE_BILINEAR microkernels against the reference, bit for bit, at every tier.</summary>
public sealed class ResizeBilinearOptimizedTests
{
    /// <summary>(input height, input width, output height, output width) for up-, down- and mixed scaling, 1×1 and extreme up-scaling.</summary>
    private static readonly (int InHeight, int InWidth, int OutHeight, int OutWidth)[] Sizes = [(3, 4, 7, 9), (8, 7, 3, 5), (2, 5, 5, 2), (1, 1, 3, 2), (2, 2, 41, 1)];

    /// <summary>Every size and sampling mode with every channel count of <see cref="OptimizedKernelTestSupport.Channels"/>.</summary>
    public static TheoryData<int, bool, bool> Cases()
    {
        var data = new TheoryData<int, bool, bool>();
        foreach (int c in Channels)
        {
            data.Add(c, false, false);
            data.Add(c, true, false);
            data.Add(c, false, true);
        }
        return data;
    }

    private static IEnumerable<ResizeParameters> Parameters(int channels, bool alignCorners, bool halfPixelCenters) =>
        Sizes.Select(s => new ResizeParameters(2, s.InHeight, s.InWidth, channels, s.OutHeight, s.OutWidth, alignCorners, halfPixelCenters));

    [Theory]
    [MemberData(nameof(Cases))]
    public void ResizeBilinear_F32_Optimized_MatchesReference(int channels, bool alignCorners, bool halfPixelCenters)
    {
        foreach (var p in Parameters(channels, alignCorners, halfPixelCenters))
        {
            var input = RandomFloats((int)p.InputLength, (int)p.InputLength + channels, -100f, 100f);
            var expected = new float[p.OutputLength];
            ResizeBilinearReference.ResizeF32(input, expected, p);
            var plan = ResizeBilinearPlan.Create(p, fixedPoint: false);
            foreach (var tier in Tiers)
            {
                var actual = new float[p.OutputLength];
                ResizeBilinearMicrokernels.F32(input, actual, plan, tier, 0, p.Batches * p.OutputHeight);
                Assert.True(expected.AsSpan().SequenceEqual(actual), $"{tier} {p}");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void ResizeBilinear_QU8_Optimized_MatchesReference(int channels, bool alignCorners, bool halfPixelCenters)
    {
        foreach (var p in Parameters(channels, alignCorners, halfPixelCenters))
        {
            var input = RandomBytes((int)p.InputLength, (int)p.InputLength + channels);
            var expected = new byte[p.OutputLength];
            ResizeBilinearReference.ResizeQU8(input, expected, p);
            var plan = ResizeBilinearPlan.Create(p, fixedPoint: false);
            foreach (var tier in Tiers)
            {
                var actual = new byte[p.OutputLength];
                ResizeBilinearMicrokernels.QU8(input, actual, plan, tier, 0, p.Batches * p.OutputHeight);
                Assert.True(expected.AsSpan().SequenceEqual(actual), $"{tier} {p}");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void ResizeBilinear_QS8_Optimized_MatchesReference(int channels, bool alignCorners, bool halfPixelCenters)
    {
        foreach (var p in Parameters(channels, alignCorners, halfPixelCenters))
        {
            var input = RandomSBytes((int)p.InputLength, (int)p.InputLength + channels);
            var expected = new sbyte[p.OutputLength];
            ResizeBilinearReference.ResizeQS8(input, expected, p);
            var plan = ResizeBilinearPlan.Create(p, fixedPoint: true);
            Assert.True(plan.FitsInt32);
            foreach (var tier in Tiers)
            {
                var actual = new sbyte[p.OutputLength];
                ResizeBilinearMicrokernels.QS8(input, actual, plan, tier, 0, p.Batches * p.OutputHeight);
                Assert.True(expected.AsSpan().SequenceEqual(actual), $"{tier} {p}");
            }
        }
    }

    [Fact]
    public void ResizeBilinear_QS8_Optimized_FallsBackToReference_WhenTheBlendOverflowsInt32()
    {
        // Width 600 -> 2^20: the 10-bit scale rounds up to 1 and the right-hand weights grow far past 1024.
        var p = new ResizeParameters(1, 1, 600, 1, 1, 1 << 20, false, false);
        Assert.False(ResizeBilinearPlan.Create(p, fixedPoint: true).FitsInt32);
        var input = RandomSBytes(600, 1);
        var expected = new sbyte[p.OutputLength];
        ResizeBilinearReference.ResizeQS8(input, expected, p);
        var size = Constant(TensorType.Int32, [2], new[] { 1, 1 << 20 });
        var output = Run(new ResizeBilinearKernel(), BuiltinOperator.RESIZE_BILINEAR, [Int8([1, 1, 600, 1], 0.1f, 0, input), size], Int8([1], 0.1f, 0));
        Assert.Equal(expected, output.ToArray<sbyte>());
    }

    [Theory]
    [InlineData(TensorType.Float32)]
    [InlineData(TensorType.UInt8)]
    [InlineData(TensorType.Int8)]
    public void ResizeBilinear_Optimized_MatchesReference_SplitAcrossWorkers(TensorType type)
    {
        int[] shape = [1, 33, 33, 21];
        var p = new ResizeParameters(1, 33, 33, 21, 129, 129, false, true);
        var size = Constant(TensorType.Int32, [2], new[] { 129, 129 });
        var options = Options((2, false), (3, true));
        int n = Product(shape);
        switch (type)
        {
            case TensorType.Float32:
            {
                var input = RandomFloats(n, 1);
                var expected = new float[p.OutputLength];
                ResizeBilinearReference.ResizeF32(input, expected, p);
                var output = RunWithThreads(new ResizeBilinearKernel(), BuiltinOperator.RESIZE_BILINEAR, [Float(shape, input), size], Float([1]), options, threads: 2);
                Assert.Equal(expected, output.ToArray<float>());
                break;
            }
            case TensorType.UInt8:
            {
                var input = RandomBytes(n, 2);
                var expected = new byte[p.OutputLength];
                ResizeBilinearReference.ResizeQU8(input, expected, p);
                var output = RunWithThreads(new ResizeBilinearKernel(), BuiltinOperator.RESIZE_BILINEAR, [UInt8(shape, 0.1f, 0, input), size], UInt8([1], 0.1f, 0), options, threads: 2);
                Assert.Equal(expected, output.ToArray<byte>());
                break;
            }
            default:
            {
                var input = RandomSBytes(n, 3);
                var expected = new sbyte[p.OutputLength];
                ResizeBilinearReference.ResizeQS8(input, expected, p);
                var output = RunWithThreads(new ResizeBilinearKernel(), BuiltinOperator.RESIZE_BILINEAR, [Int8(shape, 0.1f, 0, input), size], Int8([1], 0.1f, 0), options, threads: 2);
                Assert.Equal(expected, output.ToArray<sbyte>());
                break;
            }
        }
    }
}
