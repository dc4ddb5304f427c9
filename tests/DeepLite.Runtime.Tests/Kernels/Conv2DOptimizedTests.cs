using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using DeepLite.Runtime.Format;
using DeepLite.Runtime.Kernels;
using DeepLite.Runtime.Quantization;
using DeepLite.Runtime.Threading;

namespace DeepLite.Runtime.Tests.Kernels;

/// <summary>
/// The optimized CONV_2D (every SIMD rung the machine has, capped with <see cref="Conv2DPath"/>) against the
/// reference kernel on the same tensors: bit-exact for QU8 and QC8, within rounding for float. Shapes straddle the
/// microkernel tiles: 4 rows, 16-channel quantized blocks (8 and 4 for the narrower rungs, 4-deep groups) and
/// float blocks of 2, 8, 16 and 32 channels. The Arm64 rungs (<see cref="Conv2DPath.AdvSimd"/>,
/// <see cref="Conv2DPath.AdvSimdDot"/>) run where the processor has them (under emulation: docs/arm64.md).
/// </summary>
public sealed class Conv2DOptimizedTests
{
    /// <summary>Channel counts below, at and above every tile width.</summary>
    private static readonly int[] EdgeChannels = [1, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 32, 33];

    private static readonly Conv2DPath[] Ceilings = [Conv2DPath.Scalar, Conv2DPath.Vector128, Conv2DPath.AdvSimd, Conv2DPath.AdvSimdDot, Conv2DPath.Vector256, Conv2DPath.Vector256Vnni, Conv2DPath.Vector512];

    /// <summary>One ceiling per rung this processor runs for float (a ceiling it lacks falls to a rung already listed).</summary>
    private static readonly Conv2DPath[] FloatRungs = [.. Ceilings.DistinctBy(p => Conv2DOptimized.RungName(ConvolutionDataType.F32, p))];

    /// <summary>One ceiling per rung this processor runs for QU8 and QC8.</summary>
    private static readonly Conv2DPath[] QuantizedRungs = [.. Ceilings.DistinctBy(p => Conv2DOptimized.RungName(ConvolutionDataType.QU8, p))];

    private static readonly FusedActivation[] Activations = [FusedActivation.None, FusedActivation.Relu, FusedActivation.Relu6, FusedActivation.ReluN1To1];

    internal readonly record struct Shape(int Batches, int Height, int Width, int InputChannels, int OutputChannels,
        int FilterHeight, int FilterWidth, int Stride, int Dilation, Padding Padding, FusedActivation Activation)
    {
        public int[] InputShape => [Batches, Height, Width, InputChannels];
        public int[] FilterShape => [OutputChannels, FilterHeight, FilterWidth, InputChannels];
        public int[] OutputShape
        {
            get
            {
                var (outputHeight, _) = Conv2DTests.Window(Height, FilterHeight, Stride, Dilation, Padding);
                var (outputWidth, _) = Conv2DTests.Window(Width, FilterWidth, Stride, Dilation, Padding);
                return [Batches, outputHeight, outputWidth, OutputChannels];
            }
        }
        public int FilterLength => OutputChannels * FilterHeight * FilterWidth * InputChannels;

        public override string ToString() =>
            $"[{Batches},{Height},{Width},{InputChannels}] * {FilterHeight}x{FilterWidth}x{OutputChannels} stride {Stride} dilation {Dilation} {Padding} {Activation}";
    }

    private static FlatTable Options(in Shape s) =>
        ConvolutionTestSupport.Options((0, (int)s.Padding, 1), (1, s.Stride, 4), (2, s.Stride, 4), (3, (int)s.Activation, 1), (4, s.Dilation, 4), (5, s.Dilation, 4));

    /// <summary>1×1 over every pair of edge channel counts, then windows of 2×3 and 3×3 with strides, dilations and both paddings.</summary>
    private static IEnumerable<Shape> EdgeShapes()
    {
        int i = 0;
        foreach (int cin in EdgeChannels)
        {
            foreach (int cout in EdgeChannels)
            {
                i++;
                yield return new Shape(1 + (i % 2), 3, 5, cin, cout, 1, 1, 1, 1, Padding.Valid, Activations[i % 4]);
            }
        }
        foreach (int cin in EdgeChannels)
        {
            foreach (int cout in new[] { 1, 8, 9, 16, 17, 33 })
            {
                i++;
                int stride = 1 + (i % 2);
                int dilation = i % 5 == 0 ? 2 : 1;
                var padding = i % 3 == 0 ? Padding.Valid : Padding.Same;
                bool tall = i % 4 == 0;
                yield return new Shape(1 + (i % 7 == 0 ? 1 : 0), 7, 6, cin, cout, 3, tall ? 2 : 3, stride, dilation, padding, Activations[i % 4]);
            }
        }
    }

    /// <summary>Seeded random shapes, including 1×1 with stride 2 and panels of more than 512 rows.</summary>
    private static IEnumerable<Shape> RandomShapes(int seed, int count)
    {
        var random = new Random(seed);
        for (int i = 0; i < count; i++)
        {
            int filter = random.Next(4) switch { 0 => 1, 1 => 3, 2 => 2, _ => 5 };
            int filterWidth = random.Next(5) == 0 ? 1 : filter;
            int dilation = random.Next(4) == 0 ? 2 : 1;
            int extent = ((Math.Max(filter, filterWidth) - 1) * dilation) + 1;
            yield return new Shape(random.Next(1, 3), random.Next(extent, 14), random.Next(extent, 14),
                EdgeChannels[random.Next(EdgeChannels.Length)] + (random.Next(3) == 0 ? 32 : 0),
                EdgeChannels[random.Next(EdgeChannels.Length)] + (random.Next(3) == 0 ? 48 : 0),
                filter, filterWidth, random.Next(1, 3), dilation, random.Next(2) == 0 ? Padding.Same : Padding.Valid,
                Activations[random.Next(Activations.Length)]);
        }
        yield return new Shape(1, 23, 25, 64, 24, 1, 1, 1, 1, Padding.Same, FusedActivation.Relu6);
        yield return new Shape(2, 15, 17, 33, 40, 3, 3, 1, 1, Padding.Same, FusedActivation.None);
        yield return new Shape(1, 9, 11, 12, 20, 1, 1, 2, 1, Padding.Same, FusedActivation.None);
        yield return new Shape(1, 9, 11, 13, 20, 1, 1, 2, 1, Padding.Valid, FusedActivation.Relu);
    }

    private static Tensor Filled(TensorType type, int[] shape, byte[] bytes, QuantizationParameters? quantization, bool constant)
    {
        if (constant) return Tensor.CreateConstant(type, shape, bytes, quantization);
        var tensor = Tensor.Create(type, shape, quantization);
        tensor.CopyFromBytes(bytes);
        return tensor;
    }

    /// <summary>Runs a fresh kernel limited to <paramref name="path"/> on the given tensors and returns the output bytes.</summary>
    private static byte[] Run(Conv2DPath path, in Shape s, Tensor input, Tensor filter, Tensor? bias, Tensor output, WorkerPool? workers = null)
    {
        var context = KernelContext.ForTensors(new OperatorCode(BuiltinOperator.CONV_2D, null, 1), [input, filter, bias], [output], Options(s), default, workers);
        var kernel = new Conv2DKernel(path);
        kernel.Prepare(context);
        output.AsBytes().Fill(0xCD);
        kernel.Eval(context);
        return output.AsReadOnlyBytes().ToArray();
    }

    private static void CheckF32(in Shape s, int seed, WorkerPool? workers = null)
    {
        var random = new Random(seed);
        var input = ConvolutionTestSupport.Float(s.InputShape, ConvolutionTestSupport.RandomFloats(random, s.InputShape.Aggregate(1L, (a, d) => a * d)));
        var filterValues = ConvolutionTestSupport.RandomFloats(random, s.FilterLength);
        bool constant = seed % 2 == 0;
        var filter = Filled(TensorType.Float32, s.FilterShape, MemoryMarshal.AsBytes(filterValues.AsSpan()).ToArray(), null, constant);
        Tensor? bias = seed % 5 == 0 ? null
            : Filled(TensorType.Float32, [s.OutputChannels], MemoryMarshal.AsBytes(ConvolutionTestSupport.RandomFloats(random, s.OutputChannels).AsSpan()).ToArray(), null, constant);
        var output = Tensor.Create(TensorType.Float32, s.OutputShape);
        var expected = MemoryMarshal.Cast<byte, float>(Run(Conv2DPath.Reference, s, input, filter, bias, output)).ToArray();
        foreach (var path in FloatRungs)
        {
            var actual = MemoryMarshal.Cast<byte, float>(Run(path, s, input, filter, bias, output, workers)).ToArray();
            for (int i = 0; i < expected.Length; i++)
            {
                float tolerance = 1e-4f * Math.Max(1, Math.Abs(expected[i]));
                Assert.True(Math.Abs(expected[i] - actual[i]) <= tolerance, $"{s} {path} seed {seed} element {i}: expected {expected[i]}, got {actual[i]}");
            }
        }
    }

    /// <summary>Quantization of a case: zero points drawn from the extremes and the middle; the output scale spans
    /// from saturating most values to leaving them near zero.</summary>
    private static (int Input, int Filter, int Output, float InputScale, float FilterScale, float OutputScale) Quantization(Random random, in Shape s, int min, int max)
    {
        int ZeroPoint() => random.Next(4) switch { 0 => min, 1 => max, 2 => (min + max + 1) / 2, _ => random.Next(min, max + 1) };
        float inputScale = 0.01f + (0.1f * random.NextSingle());
        float filterScale = 0.001f + (0.05f * random.NextSingle());
        int depth = s.FilterHeight * s.FilterWidth * s.InputChannels;
        float outputScale = inputScale * filterScale * MathF.Sqrt(depth) * 64 * (0.02f + (4 * random.NextSingle()));
        return (ZeroPoint(), ZeroPoint(), ZeroPoint(), inputScale, filterScale, outputScale);
    }

    private static Tensor? QuantizedBias(Random random, in Shape s, bool constant, int seed)
    {
        if (seed % 5 == 0) return null;
        // Mostly moderate biases; every 7th case pushes them to the int32 limits so the accumulator wraps.
        int limit = seed % 7 == 0 ? int.MaxValue : 20000;
        var values = Enumerable.Range(0, s.OutputChannels).Select(_ => seed % 7 == 0 ? (random.Next(2) == 0 ? int.MaxValue - random.Next(1000) : int.MinValue + random.Next(1000)) : random.Next(-limit, limit)).ToArray();
        return Filled(TensorType.Int32, [s.OutputChannels], MemoryMarshal.AsBytes(values.AsSpan()).ToArray(), null, constant);
    }

    private static void CheckQU8(in Shape s, int seed, WorkerPool? workers = null)
    {
        var random = new Random(seed);
        var q = Quantization(random, s, 0, 255);
        bool constant = seed % 2 == 0;
        var input = ConvolutionTestSupport.UInt8(s.InputShape, q.InputScale, q.Input,
            ConvolutionTestSupport.RandomIntegers<byte>(random, s.InputShape.Aggregate(1L, (a, d) => a * d), 0, 255));
        var filter = Filled(TensorType.UInt8, s.FilterShape, ConvolutionTestSupport.RandomIntegers<byte>(random, s.FilterLength, 0, 255),
            new QuantizationParameters([q.FilterScale], [q.Filter], 0), constant);
        var bias = QuantizedBias(random, s, constant, seed);
        var output = ConvolutionTestSupport.UInt8(s.OutputShape, q.OutputScale, q.Output);
        CompareQuantized(s, seed, input, filter, bias, output, workers);
    }

    private static void CheckQC8(in Shape s, int seed, WorkerPool? workers = null)
    {
        var random = new Random(seed);
        var q = Quantization(random, s, -128, 127);
        bool constant = seed % 2 == 0;
        var input = ConvolutionTestSupport.Int8(s.InputShape, q.InputScale, q.Input,
            ConvolutionTestSupport.RandomIntegers<sbyte>(random, s.InputShape.Aggregate(1L, (a, d) => a * d), -128, 127));
        bool perChannel = seed % 3 != 0;
        var scales = Enumerable.Range(0, perChannel ? s.OutputChannels : 1).Select(_ => q.FilterScale * (0.25f + (2 * random.NextSingle()))).ToArray();
        var weights = ConvolutionTestSupport.RandomIntegers<sbyte>(random, s.FilterLength, -127, 127);
        var filter = Filled(TensorType.Int8, s.FilterShape, MemoryMarshal.AsBytes(weights.AsSpan()).ToArray(),
            new QuantizationParameters(scales, new long[scales.Length], 0), constant);
        var bias = QuantizedBias(random, s, constant, seed);
        var output = ConvolutionTestSupport.Int8(s.OutputShape, q.OutputScale, q.Output);
        CompareQuantized(s, seed, input, filter, bias, output, workers);
    }

    private static void CompareQuantized(in Shape s, int seed, Tensor input, Tensor filter, Tensor? bias, Tensor output, WorkerPool? workers)
    {
        var expected = Run(Conv2DPath.Reference, s, input, filter, bias, output);
        foreach (var path in QuantizedRungs)
        {
            var actual = Run(path, s, input, filter, bias, output, workers);
            int mismatch = expected.AsSpan().CommonPrefixLength(actual);
            Assert.True(mismatch == expected.Length && actual.Length == expected.Length,
                $"{s} {path} seed {seed}: first difference at byte {mismatch} (expected {(mismatch < expected.Length ? expected[mismatch] : -1)}, got {(mismatch < actual.Length ? actual[mismatch] : -1)})");
        }
    }

    [Fact]
    public void Conv2D_F32_Optimized_MatchesReference()
    {
        int seed = 0;
        foreach (var shape in EdgeShapes()) CheckF32(shape, seed++);
        foreach (var shape in RandomShapes(101, 40)) CheckF32(shape, seed++);
    }

    [Fact]
    public void Conv2D_QU8_Optimized_MatchesReference()
    {
        int seed = 0;
        foreach (var shape in EdgeShapes()) CheckQU8(shape, seed++);
        foreach (var shape in RandomShapes(202, 40)) CheckQU8(shape, seed++);
    }

    [Fact]
    public void Conv2D_QC8_Optimized_MatchesReference()
    {
        int seed = 0;
        foreach (var shape in EdgeShapes()) CheckQC8(shape, seed++);
        foreach (var shape in RandomShapes(303, 40)) CheckQC8(shape, seed++);
    }

    [Fact]
    public void Conv2D_Optimized_TwoThreadsMatchReference()
    {
        using var workers = new WorkerPool(2);
        int seed = 1000;
        foreach (var shape in RandomShapes(404, 12))
        {
            CheckF32(shape, seed, workers);
            CheckQU8(shape, seed, workers);
            CheckQC8(shape, seed, workers);
            seed++;
        }
    }

    [Fact]
    public void Conv2D_Optimized_FewPixels_SplitsChannelsAcrossThreads()
    {
        // Fewer 4-row tiles than threads and more than 2^20 MACs: each thread takes a range of channel blocks.
        Shape[] shapes =
        [
            new(1, 1, 1, 1100, 1001, 1, 1, 1, 1, Padding.Valid, FusedActivation.None),
            new(1, 2, 1, 600, 1000, 1, 1, 1, 1, Padding.Valid, FusedActivation.Relu6),
            new(1, 1, 1, 201, 700, 3, 3, 1, 1, Padding.Same, FusedActivation.Relu),
            new(2, 1, 1, 1030, 33, 1, 1, 1, 1, Padding.Valid, FusedActivation.None),
        ];
        foreach (int threads in new[] { 2, 3 })
        {
            using var workers = new WorkerPool(threads);
            int seed = 2000;
            foreach (var shape in shapes)
            {
                CheckF32(shape, seed, workers);
                CheckQU8(shape, seed, workers);
                CheckQC8(shape, seed, workers);
                seed++;
            }
        }
    }

    [Fact]
    public void Conv2D_QU8_Optimized_WeightsZeroPoint128SkipsRowSums()
    {
        // β = 128 − zw = 0: the path that adds no per-pixel term must still match.
        var s = new Shape(1, 5, 6, 20, 19, 3, 3, 1, 1, Padding.Same, FusedActivation.None);
        var random = new Random(5);
        var input = ConvolutionTestSupport.UInt8(s.InputShape, 0.05f, 7, ConvolutionTestSupport.RandomIntegers<byte>(random, 5 * 6 * 20, 0, 255));
        var filter = ConvolutionTestSupport.UInt8(s.FilterShape, 0.01f, 128, ConvolutionTestSupport.RandomIntegers<byte>(random, s.FilterLength, 0, 255));
        var output = ConvolutionTestSupport.UInt8(s.OutputShape, 0.3f, 100);
        CompareQuantized(s, 0, input, filter, null, output, null);
    }

    [Fact]
    public void Conv2D_QU8_Optimized_SaturatesAtBothEnds()
    {
        // All-255 inputs and weights with zero points 0: every accumulator is 255·255·K, far above the output range;
        // negating the weights' zero point side (zw = 255, w = 0) drives every value below it.
        var s = new Shape(1, 3, 3, 33, 17, 1, 1, 1, 1, Padding.Valid, FusedActivation.None);
        var input = ConvolutionTestSupport.UInt8(s.InputShape, 1f, 0, Enumerable.Repeat((byte)255, 9 * 33).ToArray());
        var high = ConvolutionTestSupport.UInt8(s.FilterShape, 1f, 0, Enumerable.Repeat((byte)255, s.FilterLength).ToArray());
        var low = ConvolutionTestSupport.UInt8(s.FilterShape, 1f, 255, new byte[s.FilterLength]);
        var output = ConvolutionTestSupport.UInt8(s.OutputShape, 1f, 128);
        CompareQuantized(s, 0, input, high, null, output, null);
        Assert.All(output.ToArray<byte>(), v => Assert.Equal(255, v));
        CompareQuantized(s, 0, input, low, null, output, null);
        Assert.All(output.ToArray<byte>(), v => Assert.Equal(0, v));
    }

    [Fact]
    public void Conv2D_Q8_PortableMultiplyAddAdjacent_MatchesScalar()
    {
        var random = new Random(9);
        for (int trial = 0; trial < 1000; trial++)
        {
            var x = Vector128.Create(Enumerable.Range(0, 8).Select(_ => (short)random.Next(0, 256)).ToArray());
            var y = Vector128.Create(Enumerable.Range(0, 8).Select(_ => (short)random.Next(-128, 128)).ToArray());
            var expected = Vector128.Create(Enumerable.Range(0, 4).Select(i => (x[2 * i] * y[2 * i]) + (x[(2 * i) + 1] * y[(2 * i) + 1])).ToArray());
            Assert.Equal(expected, Conv2DQ8Gemm.PortableMultiplyAddAdjacent(x, y));
            Assert.Equal(expected, Conv2DQ8Gemm.MultiplyAddAdjacent(x, y));
        }
    }

    [Fact]
    public void Conv2D_Optimized_EvalDoesNotAllocate()
    {
        var s = new Shape(1, 9, 9, 17, 24, 3, 3, 1, 1, Padding.Same, FusedActivation.Relu);
        var random = new Random(3);
        var input = ConvolutionTestSupport.UInt8(s.InputShape, 0.05f, 3, ConvolutionTestSupport.RandomIntegers<byte>(random, 9 * 9 * 17, 0, 255));
        var filter = Tensor.CreateConstant(TensorType.UInt8, s.FilterShape, ConvolutionTestSupport.RandomIntegers<byte>(random, s.FilterLength, 0, 255),
            new QuantizationParameters([0.01f], [120], 0));
        var output = ConvolutionTestSupport.UInt8(s.OutputShape, 0.2f, 10);
        var context = KernelContext.ForTensors(new OperatorCode(BuiltinOperator.CONV_2D, null, 1), [input, filter, null], [output], Options(s));
        var kernel = new Conv2DKernel();
        kernel.Prepare(context);
        AllocationAssert.SteadyStateAllocatesNothing(() => kernel.Eval(context), "CONV_2D Eval");
    }
}
