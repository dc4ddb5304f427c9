using System.Runtime.InteropServices;
using DeepLite.Runtime.Format;
using DeepLite.Runtime.Kernels;
using DeepLite.Runtime.Quantization;
using DeepLite.Runtime.Threading;
using Operands = DeepLite.Runtime.Tests.Kernels.ChannelwiseKernelTestSupport.Operands;

namespace DeepLite.Runtime.Tests.Kernels;

/// <summary>
/// The optimized FULLY_CONNECTED against its reference twin on identical tensors: bit-exact for QU8 and QC8, within
/// float32 rounding for F32. Every rung (AVX-VNNI, 512, 256, 128 bits, portable 128 bits and scalar, as far as the machine has them) runs
/// over depths below, at and above each vector step, unit counts around the 4-unit tile, several batch sizes, random
/// zero points (often at the type's extremes), clamps and saturating scales.
/// </summary>
public sealed class FullyConnectedOptimizedTests
{
    public static TheoryData<int> Depths => [1, 3, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65, 127, 129, 1024];

    /// <summary>Kernel limits that select each rung: VNNI, AVX-512, AVX2, SSE, portable Vector128 (the Arm64 path), scalar.</summary>
    private static readonly (int MaxVectorBits, bool UseVnni, bool PortableOnly)[] Rungs =
        [(512, true, false), (512, false, false), (256, false, false), (128, false, false), (512, false, true), (0, false, false)];

    private static readonly FusedActivation[] Activations = [FusedActivation.None, FusedActivation.Relu, FusedActivation.Relu6, FusedActivation.ReluN1To1];

    /// <summary>One randomly drawn operator; <see cref="KeepNumDims"/> feeds a rank-3 input <c>[Batches, 1, Depth]</c>.</summary>
    private sealed record Case(int Batches, int Depth, int Units, FusedActivation Activation, bool HasBias, bool ConstantWeights, bool KeepNumDims);

    private static readonly int[] UnitCounts = [1, 2, 3, 4, 5, 7, 8, 9, 13, 17, 33];

    private static List<Case> Cases(int depth, int seed)
    {
        var random = new Random(seed);
        var cases = new List<Case>();
        for (int i = 0; i < 8; i++)
        {
            cases.Add(new Case(random.Next(4) == 0 ? random.Next(2, 6) : 1, depth, UnitCounts[random.Next(UnitCounts.Length)],
                Activations[random.Next(Activations.Length)], random.Next(4) != 0, random.Next(2) == 0, random.Next(5) == 0));
        }
        return cases;
    }

    private static FlatTable Options(Case c) =>
        ConvolutionTestSupport.Options((0, (int)c.Activation, 1), (1, 0, 1), (2, c.KeepNumDims ? 1 : 0, 1));

    private static int[] InputShape(Case c) => c.KeepNumDims ? [c.Batches, 1, c.Depth] : [c.Batches, c.Depth];

    private static int[] OutputShape(Case c) => c.KeepNumDims ? [c.Batches, 1, c.Units] : [c.Batches, c.Units];

    private static Operands FloatOperands(Case c, Random random) => ChannelwiseKernelTestSupport.FloatOperands(BuiltinOperator.FULLY_CONNECTED, random,
        InputShape(c), [c.Units, c.Depth], c.HasBias ? c.Units : 0, c.ConstantWeights, OutputShape(c), Options(c));

    /// <summary>Quantized operands; int8 weights have one scale per unit, or in a quarter of the cases one per tensor.</summary>
    private static Operands QuantizedOperands(Case c, Random random, bool perChannel) => ChannelwiseKernelTestSupport.QuantizedOperands(
        BuiltinOperator.FULLY_CONNECTED, random, perChannel, InputShape(c), [c.Units, c.Depth], channelDimension: 0,
        perChannel && random.Next(4) != 0 ? c.Units : 1, terms: c.Depth, c.HasBias, c.ConstantWeights, OutputShape(c), Options(c));

    private static byte[] Run(OperatorKernel kernel, Operands operands, WorkerPool? workers = null) => ChannelwiseKernelTestSupport.Run(kernel, operands, workers);

    private static void AssertQuantizedMatch(int depth, bool perChannel, int seed)
    {
        var random = new Random(seed);
        foreach (var c in Cases(depth, seed))
        {
            var operands = QuantizedOperands(c, random, perChannel);
            byte[] expected = Run(new FullyConnectedKernel(useReference: true), operands);
            foreach (var (bits, vnni, portable) in Rungs)
            {
                ChannelwiseKernelTestSupport.AssertSameBytes(expected, Run(new FullyConnectedKernel(useReference: false, bits, vnni, portable), operands),
                    $"{c} at {bits} bits (VNNI {vnni}, portable {portable})");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Depths))]
    public void FullyConnected_F32_Optimized_MatchesReference(int depth)
    {
        var random = new Random(4000 + depth);
        foreach (var c in Cases(depth, 4000 + depth))
        {
            var operands = FloatOperands(c, random);
            var expected = MemoryMarshal.Cast<byte, float>(Run(new FullyConnectedKernel(useReference: true), operands)).ToArray();
            foreach (var (bits, vnni, portable) in Rungs)
            {
                var actual = MemoryMarshal.Cast<byte, float>(Run(new FullyConnectedKernel(useReference: false, bits, vnni, portable), operands));
                // Reordered float32 sums of |terms| ≤ 1 differ by a few ulps of the depth.
                ConvolutionTestSupport.AssertClose(expected, actual, 2e-6f * depth);
            }
        }
    }

    [Theory]
    [MemberData(nameof(Depths))]
    public void FullyConnected_QU8_Optimized_MatchesReference(int depth) => AssertQuantizedMatch(depth, perChannel: false, 5000 + depth);

    [Theory]
    [MemberData(nameof(Depths))]
    public void FullyConnected_QC8_Optimized_MatchesReference(int depth) => AssertQuantizedMatch(depth, perChannel: true, 6000 + depth);

    [Theory]
    [InlineData(TensorType.Float32)]
    [InlineData(TensorType.UInt8)]
    [InlineData(TensorType.Int8)]
    public void FullyConnected_Optimized_TwoThreadsMatchOneThread(TensorType type)
    {
        // A MobileNet-like classifier (1001 units), and a batch of rows; both large enough to be split.
        foreach (var c in new[] { new Case(1, 1024, 1001, FusedActivation.None, true, true, false), new Case(64, 96, 39, FusedActivation.Relu, true, false, false) })
        {
            var random = new Random(11);
            var operands = type == TensorType.Float32 ? FloatOperands(c, random) : QuantizedOperands(c, random, type == TensorType.Int8);
            byte[] single = Run(new FullyConnectedKernel(), operands);
            using var pool = new WorkerPool(2);
            byte[] twoThreads = Run(new FullyConnectedKernel(), operands, pool);
            Assert.Equal(single, twoThreads);
            if (type != TensorType.Float32) Assert.Equal(Run(new FullyConnectedKernel(useReference: true), operands), single);
        }
    }

    [Fact]
    public void FullyConnected_Optimized_EvalAllocatesNothing()
    {
        var c = new Case(3, 100, 21, FusedActivation.None, true, false, false);
        ChannelwiseKernelTestSupport.AssertEvalAllocatesNothing(new FullyConnectedKernel(), QuantizedOperands(c, new Random(3), perChannel: true));
    }
}
