using System.Runtime.InteropServices;
using DeepLite.Runtime.Format;
using DeepLite.Runtime.Kernels;
using DeepLite.Runtime.Quantization;
using DeepLite.Runtime.Threading;
using Operands = DeepLite.Runtime.Tests.Kernels.ChannelwiseKernelTestSupport.Operands;

namespace DeepLite.Runtime.Tests.Kernels;

/// <summary>
/// The optimized DEPTHWISE_CONV_2D against its reference twin on identical tensors: bit-exact for QU8 and QC8, within
/// float32 rounding for F32. Every rung (512, 256, 128 bits, portable 128 bits and scalar, as far as the machine has them) runs
/// over channel counts below, at and above each vector width, with random windows, borders, zero points and clamps.
/// </summary>
public sealed class DepthwiseConv2DOptimizedTests
{
    public static TheoryData<int> ChannelCounts => [1, 3, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65];

    /// <summary>Kernel limits that select each rung: 512, 256 and 128 bits, portable Vector128 (the Arm64 path), scalar.</summary>
    private static readonly (int MaxVectorBits, bool PortableOnly)[] Rungs = [(512, false), (256, false), (128, false), (512, true), (0, false)];

    /// <summary>One randomly drawn operator: shapes, window, activation, and whether weights are model constants.</summary>
    private sealed record Case(int Batches, int Height, int Width, int Channels, int Multiplier, int FilterHeight, int FilterWidth,
        int Stride, int Dilation, Padding Padding, FusedActivation Activation, bool HasBias, bool ConstantWeights)
    {
        public int OutputChannels => Channels * Multiplier;
        public int OutputHeight => Conv2DTests.Window(Height, FilterHeight, Stride, Dilation, Padding).Output;
        public int OutputWidth => Conv2DTests.Window(Width, FilterWidth, Stride, Dilation, Padding).Output;
    }

    private static readonly (int Height, int Width)[] Filters = [(3, 3), (3, 3), (3, 3), (1, 1), (5, 5), (2, 3), (3, 1)];

    private static readonly FusedActivation[] Activations = [FusedActivation.None, FusedActivation.Relu, FusedActivation.Relu6, FusedActivation.ReluN1To1];

    /// <summary>Random cases for one channel count; a few use depth multiplier 2 (the reference path behind the same kernel).</summary>
    private static List<Case> Cases(int channels, int seed)
    {
        var random = new Random(seed);
        var cases = new List<Case>();
        for (int i = 0; i < 10; i++)
        {
            var (filterHeight, filterWidth) = Filters[random.Next(Filters.Length)];
            int dilation = random.Next(4) == 0 ? 2 : 1;
            int stride = random.Next(2) + 1;
            var padding = random.Next(3) == 0 ? Padding.Valid : Padding.Same;
            int minimum = padding == Padding.Valid ? ((Math.Max(filterHeight, filterWidth) - 1) * dilation) + 1 : 1;
            int height = random.Next(minimum, minimum + 9);
            int width = random.Next(minimum, minimum + 9);
            cases.Add(new Case(random.Next(3) == 0 ? 2 : 1, height, width, channels, i == 9 ? 2 : 1, filterHeight, filterWidth,
                stride, dilation, padding, Activations[random.Next(Activations.Length)], random.Next(4) != 0, random.Next(2) == 0));
        }
        // Input smaller than the window: every output pixel is a border pixel.
        cases.Add(new Case(1, 2, 1, channels, 1, 3, 3, 1, 1, Padding.Same, FusedActivation.None, true, true));
        return cases;
    }

    private static byte[] Run(OperatorKernel kernel, Operands operands, WorkerPool? workers = null) => ChannelwiseKernelTestSupport.Run(kernel, operands, workers);

    private static FlatTable Options(Case c) => ConvolutionTestSupport.Options((0, (int)c.Padding, 1), (1, c.Stride, 4), (2, c.Stride, 4),
        (3, c.Multiplier, 4), (4, (int)c.Activation, 1), (5, c.Dilation, 4), (6, c.Dilation, 4));

    private static Operands FloatOperands(Case c, Random random) => ChannelwiseKernelTestSupport.FloatOperands(BuiltinOperator.DEPTHWISE_CONV_2D, random,
        [c.Batches, c.Height, c.Width, c.Channels], [1, c.FilterHeight, c.FilterWidth, c.OutputChannels], c.HasBias ? c.OutputChannels : 0,
        c.ConstantWeights, [c.Batches, c.OutputHeight, c.OutputWidth, c.OutputChannels], Options(c));

    private static Operands QuantizedOperands(Case c, Random random, bool perChannel) => ChannelwiseKernelTestSupport.QuantizedOperands(
        BuiltinOperator.DEPTHWISE_CONV_2D, random, perChannel, [c.Batches, c.Height, c.Width, c.Channels], [1, c.FilterHeight, c.FilterWidth, c.OutputChannels],
        channelDimension: 3, perChannel ? c.OutputChannels : 1, terms: c.FilterHeight * c.FilterWidth, c.HasBias, c.ConstantWeights,
        [c.Batches, c.OutputHeight, c.OutputWidth, c.OutputChannels], Options(c));

    private static void AssertQuantizedMatch(int channels, bool perChannel, int seed)
    {
        var random = new Random(seed);
        foreach (var c in Cases(channels, seed))
        {
            var operands = QuantizedOperands(c, random, perChannel);
            byte[] expected = Run(new DepthwiseConv2DKernel(useReference: true), operands);
            foreach (var (bits, portable) in Rungs)
            {
                ChannelwiseKernelTestSupport.AssertSameBytes(expected, Run(new DepthwiseConv2DKernel(useReference: false, bits, portable), operands),
                    $"{c} at {bits} bits (portable {portable})");
            }
        }
    }

    [Theory]
    [MemberData(nameof(ChannelCounts))]
    public void DepthwiseConv2D_F32_Optimized_MatchesReference(int channels)
    {
        var random = new Random(1000 + channels);
        foreach (var c in Cases(channels, 1000 + channels))
        {
            var operands = FloatOperands(c, random);
            var expected = MemoryMarshal.Cast<byte, float>(Run(new DepthwiseConv2DKernel(useReference: true), operands)).ToArray();
            foreach (var (bits, portable) in Rungs)
            {
                var actual = MemoryMarshal.Cast<byte, float>(Run(new DepthwiseConv2DKernel(useReference: false, bits, portable), operands));
                ConvolutionTestSupport.AssertClose(expected, actual, 1e-5f * c.FilterHeight * c.FilterWidth);
            }
        }
    }

    [Fact]
    public void DepthwiseConv2D_F32_Optimized_ClampKeepsNaN()
    {
        // One NaN input under a Relu6 clamp: the reference's Math.Min/Max keep the NaN in every output it reaches.
        var c = new Case(1, 5, 5, 17, 1, 3, 3, 1, 1, Padding.Same, FusedActivation.Relu6, true, true);
        var operands = FloatOperands(c, new Random(5));
        operands.Input.AsSpan<float>()[(12 * 17) + 3] = float.NaN;
        var expected = MemoryMarshal.Cast<byte, float>(Run(new DepthwiseConv2DKernel(useReference: true), operands)).ToArray();
        Assert.Equal(9, expected.Count(float.IsNaN));
        foreach (var (bits, portable) in Rungs)
        {
            var actual = MemoryMarshal.Cast<byte, float>(Run(new DepthwiseConv2DKernel(useReference: false, bits, portable), operands)).ToArray();
            Assert.Equal(expected.Select(float.IsNaN), actual.Select(float.IsNaN));
        }
    }

    [Theory]
    [MemberData(nameof(ChannelCounts))]
    public void DepthwiseConv2D_QU8_Optimized_MatchesReference(int channels) => AssertQuantizedMatch(channels, perChannel: false, 2000 + channels);

    [Theory]
    [MemberData(nameof(ChannelCounts))]
    public void DepthwiseConv2D_QC8_Optimized_MatchesReference(int channels) => AssertQuantizedMatch(channels, perChannel: true, 3000 + channels);

    [Theory]
    [InlineData(TensorType.Float32)]
    [InlineData(TensorType.UInt8)]
    [InlineData(TensorType.Int8)]
    public void DepthwiseConv2D_Optimized_TwoThreadsMatchOneThread(TensorType type)
    {
        // A MobileNet-like layer, large enough to be split: 3x3, stride 2, SAME, 96 channels, 41x37 input (odd sizes, both borders).
        var c = new Case(2, 41, 37, 96, 1, 3, 3, 2, 1, Padding.Same, FusedActivation.Relu6, true, true);
        var random = new Random(7);
        var operands = type == TensorType.Float32 ? FloatOperands(c, random) : QuantizedOperands(c, random, type == TensorType.Int8);
        byte[] single = Run(new DepthwiseConv2DKernel(), operands);
        using var pool = new WorkerPool(2);
        byte[] twoThreads = Run(new DepthwiseConv2DKernel(), operands, pool);
        Assert.Equal(single, twoThreads);
        if (type != TensorType.Float32) Assert.Equal(Run(new DepthwiseConv2DKernel(useReference: true), operands), single);
    }

    [Fact]
    public void DepthwiseConv2D_Optimized_EvalAllocatesNothing()
    {
        var c = new Case(1, 9, 9, 33, 1, 3, 3, 1, 1, Padding.Same, FusedActivation.None, true, false);
        ChannelwiseKernelTestSupport.AssertEvalAllocatesNothing(new DepthwiseConv2DKernel(), QuantizedOperands(c, new Random(3), perChannel: false));
    }
}

/// <summary>Operands and runs shared by the DEPTHWISE_CONV_2D and FULLY_CONNECTED optimized-kernel tests.</summary>
internal static class ChannelwiseKernelTestSupport
{
    /// <summary>An operator's tensors: every kernel under test runs on these same inputs, each into a fresh output.</summary>
    public sealed record Operands(BuiltinOperator Operator, Tensor Input, Tensor Weights, Tensor? Bias, Func<Tensor> NewOutput, FlatTable Options);

    /// <summary>A tensor holding <paramref name="bytes"/>, as a model constant or as a writable tensor.</summary>
    public static Tensor Filled(TensorType type, int[] shape, byte[] bytes, QuantizationParameters? quantization, bool constant)
    {
        if (constant) return Tensor.CreateConstant(type, shape, bytes, quantization);
        var tensor = Tensor.Create(type, shape, quantization);
        tensor.CopyFromBytes(bytes);
        return tensor;
    }

    private static byte[] Bytes<T>(T[] values) where T : unmanaged => MemoryMarshal.AsBytes(values.AsSpan()).ToArray();

    private static int Count(int[] shape) => shape.Aggregate(1, (product, d) => product * d);

    /// <summary>float32 operands with values in [−1, 1); <paramref name="biasLength"/> 0 means no bias.</summary>
    public static Operands FloatOperands(BuiltinOperator op, Random random, int[] inputShape, int[] weightsShape, int biasLength, bool constantWeights,
        int[] outputShape, FlatTable options)
    {
        var input = Filled(TensorType.Float32, inputShape, Bytes(ConvolutionTestSupport.RandomFloats(random, Count(inputShape))), null, false);
        var weights = Filled(TensorType.Float32, weightsShape, Bytes(ConvolutionTestSupport.RandomFloats(random, Count(weightsShape))), null, constantWeights);
        var bias = biasLength > 0 ? Filled(TensorType.Float32, [biasLength], Bytes(ConvolutionTestSupport.RandomFloats(random, biasLength)), null, constantWeights) : null;
        return new Operands(op, input, weights, bias, () => Tensor.Create(TensorType.Float32, outputShape), options);
    }

    /// <summary>
    /// Quantized operands (uint8 per tensor, or int8 with <paramref name="scaleCount"/> weight scales along
    /// <paramref name="channelDimension"/>): zero points often at the type's extremes; values over the whole type range or,
    /// in a third of the cases, within ±3 of their zero point (small accumulators meeting large multipliers); and real
    /// multipliers (input scale · weight scale / output scale) that map a typical sum of <paramref name="terms"/> products
    /// to 1–64 output steps, so that outputs are both sensitive to rounding and often saturated.
    /// </summary>
    public static Operands QuantizedOperands(BuiltinOperator op, Random random, bool perChannel, int[] inputShape, int[] weightsShape,
        int channelDimension, int scaleCount, int terms, bool hasBias, bool constantWeights, int[] outputShape, FlatTable options)
    {
        var type = perChannel ? TensorType.Int8 : TensorType.UInt8;
        var (min, max) = perChannel ? (-128, 127) : (0, 255);
        int ZeroPoint() => random.Next(4) switch { 0 => min, 1 => max, _ => random.Next(min, max + 1) };
        bool narrow = random.Next(3) == 0;
        byte[] Values(int count, int zeroPoint) => narrow
            ? Enumerable.Range(0, count).Select(_ => (byte)Math.Clamp(zeroPoint + random.Next(-3, 4), min, max)).ToArray()
            : ConvolutionTestSupport.RandomIntegers<byte>(random, count, 0, 255);
        float typicalAccumulator = MathF.Sqrt(terms) * (narrow ? 4 : 5000);
        int inputZeroPoint = ZeroPoint(), weightsZeroPoint = perChannel ? 0 : ZeroPoint();
        float inputScale = 0.02f + (0.05f * random.NextSingle());
        float outputScale = 0.1f + (0.5f * random.NextSingle());
        var weightScales = Enumerable.Range(0, scaleCount)
            .Select(_ => outputScale * MathF.Pow(2, 6 * random.NextSingle()) / typicalAccumulator / inputScale).ToArray();
        var weightsQuantization = new QuantizationParameters(weightScales, perChannel ? new long[scaleCount] : [weightsZeroPoint], perChannel ? channelDimension : 0);

        var input = Filled(type, inputShape, Values(Count(inputShape), inputZeroPoint), new QuantizationParameters([inputScale], [inputZeroPoint], 0), false);
        var weights = Filled(type, weightsShape, Values(Count(weightsShape), weightsZeroPoint), weightsQuantization, constantWeights);
        int channels = outputShape[^1];
        var biasScales = weightScales.Select(s => inputScale * s).ToArray();
        var bias = hasBias
            ? Filled(TensorType.Int32, [channels], Bytes(ConvolutionTestSupport.RandomIntegers<int>(random, channels, (int)-typicalAccumulator, (int)typicalAccumulator)),
                new QuantizationParameters(biasScales, new long[biasScales.Length], 0), constantWeights)
            : null;
        var outputQuantization = new QuantizationParameters([outputScale], [ZeroPoint()], 0);
        return new Operands(op, input, weights, bias, () => Tensor.Create(type, outputShape, outputQuantization), options);
    }

    private static KernelContext Context(Operands operands, Tensor output, WorkerPool? workers) =>
        KernelContext.ForTensors(new OperatorCode(operands.Operator, null, 1), [operands.Input, operands.Weights, operands.Bias], [output],
            operands.Options, workers: workers);

    /// <summary>Prepares and runs <paramref name="kernel"/> (twice, the second time over a scribbled output) and returns the output bytes.</summary>
    public static byte[] Run(OperatorKernel kernel, Operands operands, WorkerPool? workers = null)
    {
        var output = operands.NewOutput();
        var context = Context(operands, output, workers);
        kernel.Prepare(context);
        kernel.Eval(context);
        output.AsBytes().Fill(0xA5);
        kernel.Eval(context);
        return output.AsReadOnlyBytes().ToArray();
    }

    public static void AssertSameBytes(byte[] expected, byte[] actual, string what) =>
        Assert.True(expected.AsSpan().SequenceEqual(actual), $"{what}: first difference at byte {expected.AsSpan().CommonPrefixLength(actual)}");

    /// <summary>
    /// Checks that <paramref name="kernel"/>'s Eval allocates nothing once it runs steadily. One thread: the pool's own
    /// dispatch is checked by the interpreter's allocation test.
    /// </summary>
    public static void AssertEvalAllocatesNothing(OperatorKernel kernel, Operands operands)
    {
        var context = Context(operands, operands.NewOutput(), workers: null);
        kernel.Prepare(context);
        AllocationAssert.SteadyStateAllocatesNothing(() => kernel.Eval(context), kernel.GetType().Name + ".Eval");
    }
}
