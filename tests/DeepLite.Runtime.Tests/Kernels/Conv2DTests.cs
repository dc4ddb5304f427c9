using System.Buffers.Binary;
using DeepLite.Runtime.Format;
using DeepLite.Runtime.Kernels;
using DeepLite.Runtime.Quantization;

namespace DeepLite.Runtime.Tests.Kernels;

/// <summary>Builders shared by the convolution-family kernel tests (CONV_2D, DEPTHWISE_CONV_2D, FULLY_CONNECTED, TRANSPOSE_CONV).</summary>
internal static class ConvolutionTestSupport
{
    /// <summary>An options table holding the given scalar fields (field index, value, byte size 1 or 4).</summary>
    public static FlatTable Options(params (int Field, int Value, int Size)[] fields)
    {
        int fieldCount = fields.Length == 0 ? 0 : fields.Max(f => f.Field) + 1;
        int vtableLength = 4 + (2 * fieldCount);
        int tablePosition = (vtableLength + 3) / 4 * 4;
        int tableLength = 4 + (4 * fields.Length);
        var bytes = new byte[tablePosition + tableLength];
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(0), (ushort)vtableLength);
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(2), (ushort)tableLength);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(tablePosition), tablePosition);
        for (int i = 0; i < fields.Length; i++)
        {
            var (field, value, size) = fields[i];
            int offset = 4 + (4 * i);
            BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(4 + (2 * field)), (ushort)offset);
            if (size == 1) bytes[tablePosition + offset] = (byte)value;
            else BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(tablePosition + offset), value);
        }
        return new FlatTable(bytes, tablePosition, "test options");
    }

    public static Tensor Float(int[] shape, params float[] values)
    {
        var tensor = Tensor.Create(TensorType.Float32, shape);
        tensor.CopyFrom<float>(values);
        return tensor;
    }

    public static Tensor Int32(int[] shape, params int[] values)
    {
        var tensor = Tensor.Create(TensorType.Int32, shape);
        tensor.CopyFrom<int>(values);
        return tensor;
    }

    public static Tensor Int32(int[] shape, float scale, params int[] values)
    {
        var tensor = Tensor.Create(TensorType.Int32, shape, new QuantizationParameters([scale], [0], 0));
        tensor.CopyFrom<int>(values);
        return tensor;
    }

    public static Tensor UInt8(int[] shape, float scale, int zeroPoint, params byte[] values)
    {
        var tensor = Tensor.Create(TensorType.UInt8, shape, new QuantizationParameters([scale], [zeroPoint], 0));
        if (values.Length > 0) tensor.CopyFrom<byte>(values);
        return tensor;
    }

    public static Tensor Int8(int[] shape, float scale, int zeroPoint, params sbyte[] values)
    {
        var tensor = Tensor.Create(TensorType.Int8, shape, new QuantizationParameters([scale], [zeroPoint], 0));
        if (values.Length > 0) tensor.CopyFrom<sbyte>(values);
        return tensor;
    }

    /// <summary>int8 weights quantized per channel along <paramref name="dimension"/> with zero points 0.</summary>
    public static Tensor Int8PerChannel(int[] shape, float[] scales, int dimension, params sbyte[] values)
    {
        var tensor = Tensor.Create(TensorType.Int8, shape, new QuantizationParameters(scales, new long[scales.Length], dimension));
        tensor.CopyFrom<sbyte>(values);
        return tensor;
    }

    public static KernelContext Context(BuiltinOperator op, Tensor?[] inputs, Tensor output, FlatTable options) =>
        KernelContext.ForTensors(new OperatorCode(op, null, 1), inputs, [output], options);

    /// <summary>Prepares and runs <paramref name="kernel"/> once.</summary>
    public static void Run(OperatorKernel kernel, KernelContext context)
    {
        kernel.Prepare(context);
        kernel.Eval(context);
    }

    public static float[] RandomFloats(Random random, long count) =>
        Enumerable.Range(0, (int)count).Select(_ => (float)((random.NextDouble() * 2) - 1)).ToArray();

    public static T[] RandomIntegers<T>(Random random, long count, int min, int max) where T : System.Numerics.INumberBase<T> =>
        Enumerable.Range(0, (int)count).Select(_ => T.CreateTruncating(random.Next(min, max + 1))).ToArray();

    public static void AssertClose(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, float tolerance = 1e-5f)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tolerance * Math.Max(1, Math.Abs(expected[i])),
                $"element {i}: expected {expected[i]}, got {actual[i]}");
        }
    }

    /// <summary>Quantized parameters with one real multiplier per output channel, for either rule.</summary>
    public static QuantizedConvolutionParameters Requantization(RequantizationRule rule, int inputZeroPoint, int filterZeroPoint, int outputZeroPoint,
        (int Min, int Max) range, params double[] realMultipliers)
    {
        var multipliers = new int[realMultipliers.Length];
        var shifts = new int[realMultipliers.Length];
        for (int c = 0; c < realMultipliers.Length; c++) (multipliers[c], shifts[c]) = FixedPoint.QuantizeMultiplier(realMultipliers[c]);
        var scales = realMultipliers.Select(m => (float)m).ToArray();
        return new QuantizedConvolutionParameters(-inputZeroPoint, -filterZeroPoint, outputZeroPoint, range.Min, range.Max, rule, multipliers, shifts, scales);
    }

    /// <summary>TFLite reference (fixed-point) parameters.</summary>
    public static QuantizedConvolutionParameters Requantization(int inputZeroPoint, int filterZeroPoint, int outputZeroPoint, (int Min, int Max) range, params double[] realMultipliers) =>
        Requantization(RequantizationRule.FixedPoint, inputZeroPoint, filterZeroPoint, outputZeroPoint, range, realMultipliers);
}

public sealed class Conv2DTests
{
    private static ConvolutionGeometry Geometry(int batches, int height, int width, int inputChannels, int filterHeight, int filterWidth,
        int filterChannels, int outputChannels, int stride, int dilation, Padding padding)
    {
        var (outputHeight, padTop) = Window(height, filterHeight, stride, dilation, padding);
        var (outputWidth, padLeft) = Window(width, filterWidth, stride, dilation, padding);
        return new ConvolutionGeometry(batches, height, width, inputChannels, filterHeight, filterWidth, filterChannels,
            outputHeight, outputWidth, outputChannels, stride, stride, dilation, dilation, padTop, padLeft);
    }

    /// <summary>TFLite's output size and leading padding, computed independently of KernelHelpers.</summary>
    internal static (int Output, int PadBefore) Window(int input, int filter, int stride, int dilation, Padding padding)
    {
        int effective = ((filter - 1) * dilation) + 1;
        int output = padding == Padding.Same ? (input + stride - 1) / stride : (input - effective + stride) / stride;
        return (output, Math.Max(((output - 1) * stride) + effective - input, 0) / 2);
    }

    /// <summary>A direct, tap-by-tap convolution in double (bounds checked per tap), the test's independent oracle.</summary>
    private static float[] Oracle(in ConvolutionGeometry g, float[] input, float[] filter, float[]? bias, float min, float max)
    {
        var output = new float[g.OutputLength];
        int groups = g.InputChannels / g.FilterChannels;
        int perGroup = g.OutputChannels / groups;
        for (int b = 0; b < g.Batches; b++)
        for (int oy = 0; oy < g.OutputHeight; oy++)
        for (int ox = 0; ox < g.OutputWidth; ox++)
        for (int oc = 0; oc < g.OutputChannels; oc++)
        {
            double sum = bias?[oc] ?? 0;
            for (int fy = 0; fy < g.FilterHeight; fy++)
            for (int fx = 0; fx < g.FilterWidth; fx++)
            {
                int iy = (oy * g.StrideHeight) - g.PadTop + (fy * g.DilationHeight);
                int ix = (ox * g.StrideWidth) - g.PadLeft + (fx * g.DilationWidth);
                if (iy < 0 || iy >= g.InputHeight || ix < 0 || ix >= g.InputWidth) continue;
                for (int k = 0; k < g.FilterChannels; k++)
                {
                    int ic = (oc / perGroup * g.FilterChannels) + k;
                    sum += (double)input[(((b * g.InputHeight + iy) * g.InputWidth) + ix) * g.InputChannels + ic]
                        * filter[(((oc * g.FilterHeight + fy) * g.FilterWidth) + fx) * g.FilterChannels + k];
                }
            }
            output[(((b * g.OutputHeight + oy) * g.OutputWidth) + ox) * g.OutputChannels + oc] = (float)Math.Clamp(sum, min, max);
        }
        return output;
    }

    [Fact]
    public void Conv2D_F32_Reference_MatchesHandComputed()
    {
        // input 3x3 = 1..9, filter 2x2 = [1, 0; 0, -1], VALID stride 1: out[y,x] = in[y,x] - in[y+1,x+1] = -4 everywhere.
        var g = Geometry(1, 3, 3, 1, 2, 2, 1, 1, 1, 1, Padding.Valid);
        var output = new float[4];
        Conv2DReference.F32(g, [1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 0, 0, -1], [0.5f], output, float.NegativeInfinity, float.PositiveInfinity);
        Assert.Equal([-3.5f, -3.5f, -3.5f, -3.5f], output);
    }

    [Fact]
    public void Conv2D_F32_Reference_SamePaddingSkipsOutsideTaps()
    {
        // 2x2 input, 3x3 all-ones filter, SAME: every output sums the whole input (pad 1 on each side).
        var g = Geometry(1, 2, 2, 1, 3, 3, 1, 1, 1, 1, Padding.Same);
        Assert.Equal((1, 1), (g.PadTop, g.PadLeft));
        var output = new float[4];
        Conv2DReference.F32(g, [1, 2, 3, 4], Enumerable.Repeat(1f, 9).ToArray(), [], output, 0, 6);
        Assert.Equal([6f, 6f, 6f, 6f], output);
    }

    [Fact]
    public void Conv2D_F32_Reference_TwoChannelsHandComputed()
    {
        // One pixel, Cin 2, Cout 2: out0 = 1*2 + 3*4 = 14, out1 = 1*(-1) + 3*1 = 2; Relu6 clamps 14 to 6.
        var g = Geometry(1, 1, 1, 2, 1, 1, 2, 2, 1, 1, Padding.Valid);
        var output = new float[2];
        Conv2DReference.F32(g, [1, 3], [2, 4, -1, 1], [], output, 0, 6);
        Assert.Equal([6f, 2f], output);
    }

    [Theory]
    [InlineData(1, 5, 7, 3, 3, 3, 3, 4, 1, 1, Padding.Same)]
    [InlineData(2, 6, 5, 4, 3, 2, 4, 5, 2, 1, Padding.Same)]
    [InlineData(1, 7, 8, 3, 3, 3, 3, 2, 2, 1, Padding.Valid)]
    [InlineData(1, 9, 9, 2, 3, 3, 2, 3, 1, 2, Padding.Same)]
    [InlineData(1, 9, 7, 2, 2, 3, 2, 3, 1, 3, Padding.Valid)]
    [InlineData(1, 6, 6, 6, 3, 3, 2, 9, 1, 1, Padding.Same)]
    [InlineData(1, 4, 4, 8, 1, 1, 8, 17, 1, 1, Padding.Valid)]
    [InlineData(3, 1, 1, 33, 1, 1, 33, 5, 1, 1, Padding.Same)]
    public void Conv2D_F32_Reference_MatchesTapByTapOracle(int batches, int height, int width, int inputChannels, int filterHeight, int filterWidth,
        int filterChannels, int outputChannels, int stride, int dilation, Padding padding)
    {
        var g = Geometry(batches, height, width, inputChannels, filterHeight, filterWidth, filterChannels, outputChannels, stride, dilation, padding);
        var random = new Random(height * 31 + outputChannels);
        var input = ConvolutionTestSupport.RandomFloats(random, g.InputLength);
        var filter = ConvolutionTestSupport.RandomFloats(random, (long)outputChannels * filterHeight * filterWidth * filterChannels);
        var bias = ConvolutionTestSupport.RandomFloats(random, outputChannels);
        var output = new float[g.OutputLength];
        Conv2DReference.F32(g, input, filter, bias, output, -1.5f, 2f);
        ConvolutionTestSupport.AssertClose(Oracle(g, input, filter, bias, -1.5f, 2f), output);
    }

    [Fact]
    public void Conv2D_QU8_Reference_MatchesHandComputed()
    {
        // input (scale 0.5, zp 128): [130,126,128,132] = [2,-2,0,4] steps; filter (scale 0.25, zp 100): [104,96,108,100] = [4,-4,8,0].
        // acc = 8 + 8 + 0 + 0 = 16, + bias 8 = 24; M = 0.5*0.25/0.5 = 0.25 -> 6; + output zp 10 = 16.
        var g = Geometry(1, 2, 2, 1, 2, 2, 1, 1, 1, 1, Padding.Valid);
        var q = ConvolutionTestSupport.Requantization(128, 100, 10, (0, 255), 0.25);
        var output = new byte[1];
        Conv2DReference.Quantized<byte>(g, q, [130, 126, 128, 132], [104, 96, 108, 100], [8], output);
        Assert.Equal([16], output);
    }

    [Fact]
    public void Conv2D_QU8_Reference_RoundsHalfAwayFromZero()
    {
        // Cout 2 over one pixel: acc0 = (138-128)*(101-100) = 10, acc1 = -10; M = 0.25 is 2^30 with shift -1: the high
        // multiply gives ±5 exactly, the rounding right shift takes ±2.5 to ±3 (not ±2 as half-to-even would).
        var g = Geometry(1, 1, 1, 1, 1, 1, 1, 2, 1, 1, Padding.Valid);
        var q = ConvolutionTestSupport.Requantization(128, 100, 100, (0, 255), 0.25, 0.25);
        var output = new byte[2];
        Conv2DReference.Quantized<byte>(g, q, [138], [101, 99], [], output);
        Assert.Equal([103, 97], output);
    }

    [Fact]
    public void Conv2D_QU8_Reference_FloatRuleRoundsHalfToEven()
    {
        // XNNPACK's rule on the same accumulators: 10 * 0.25 = 2.5 -> 2, -10 * 0.25 = -2.5 -> -2; 14 * 0.25 = 3.5 -> 4.
        var g = Geometry(1, 1, 1, 1, 1, 1, 1, 3, 1, 1, Padding.Valid);
        var q = ConvolutionTestSupport.Requantization(RequantizationRule.Float, 128, 100, 100, (0, 255), 0.25, 0.25, 0.25);
        var output = new byte[3];
        Conv2DReference.Quantized<byte>(g, q, [138], [101, 99, 100], [0, 0, 14], output);
        Assert.Equal([102, 98, 104], output);
    }

    [Fact]
    public void Conv2D_QC8_Reference_FloatRuleSaturatesWithoutOverflow()
    {
        // A product far beyond int range (2^31 * 1000) must clamp, not wrap.
        var g = Geometry(1, 1, 1, 1, 1, 1, 1, 2, 1, 1, Padding.Valid);
        var q = ConvolutionTestSupport.Requantization(RequantizationRule.Float, 0, 0, 10, (-128, 127), 1000.0, 1000.0);
        var output = new sbyte[2];
        Conv2DReference.Quantized<sbyte>(g, q, [1], [1, -1], [int.MaxValue - 1, int.MinValue + 1], output);
        Assert.Equal([127, -128], output);
    }

    [Fact]
    public void Conv2D_QU8_Reference_SaturatesToActivationRange()
    {
        var g = Geometry(1, 1, 1, 4, 1, 1, 4, 2, 1, 1, Padding.Valid);
        var q = ConvolutionTestSupport.Requantization(0, 0, 5, (5, 200), 1.0, 1.0);
        var output = new byte[2];
        Conv2DReference.Quantized<byte>(g, q, [255, 255, 255, 255], [255, 255, 255, 255, 0, 0, 0, 0], [0, -1000], output);
        Assert.Equal([200, 5], output);
    }

    [Fact]
    public void Conv2D_QC8_Reference_PerChannelMatchesHandComputed()
    {
        // input zp -1: [3, -5] -> [4, -4]; filter channel 0 [2, 1], channel 1 [-1, 3]; acc0 = 8 - 4 = 4 (+bias 2 = 6), acc1 = -4 - 12 = -16.
        // M0 = 0.5 -> 3, M1 = 0.125 -> -2; output zp -3 -> [0, -5].
        var g = Geometry(1, 1, 1, 2, 1, 1, 2, 2, 1, 1, Padding.Valid);
        var q = ConvolutionTestSupport.Requantization(-1, 0, -3, (-128, 127), 0.5, 0.125);
        var output = new sbyte[2];
        Conv2DReference.Quantized<sbyte>(g, q, [3, -5], [2, 1, -1, 3], [2, 0], output);
        Assert.Equal([0, -5], output);
    }

    [Theory]
    [InlineData(5, 6, 4, 3, 3, 4, 2, 1, Padding.Same)]
    [InlineData(7, 7, 4, 3, 3, 2, 1, 2, Padding.Valid)]
    [InlineData(6, 6, 4, 3, 3, 2, 1, 1, Padding.Same)]
    public void Conv2D_QU8_Reference_MatchesTapByTapOracle(int height, int width, int inputChannels, int filterHeight, int filterWidth,
        int filterChannels, int stride, int dilation, Padding padding)
    {
        const int OutputChannels = 6;
        var g = Geometry(1, height, width, inputChannels, filterHeight, filterWidth, filterChannels, OutputChannels, stride, dilation, padding);
        var random = new Random(7 + height);
        var input = ConvolutionTestSupport.RandomIntegers<byte>(random, g.InputLength, 0, 255);
        var filter = ConvolutionTestSupport.RandomIntegers<byte>(random, (long)OutputChannels * filterHeight * filterWidth * filterChannels, 0, 255);
        var bias = ConvolutionTestSupport.RandomIntegers<int>(random, OutputChannels, -2000, 2000);
        var q = ConvolutionTestSupport.Requantization(120, 131, 127, (0, 255), Enumerable.Repeat(0.0021, OutputChannels).ToArray());
        var output = new byte[g.OutputLength];
        Conv2DReference.Quantized<byte>(g, q, input, filter, bias, output);

        // Oracle: integer sums with per-tap bounds checks (a skipped tap equals an input at its zero point).
        var floatInput = input.Select(v => (float)(v - 120)).ToArray();
        var floatFilter = filter.Select(v => (float)(v - 131)).ToArray();
        var sums = Oracle(g, floatInput, floatFilter, bias.Select(b => (float)b).ToArray(), float.MinValue, float.MaxValue);
        var expected = sums.Select(s => (byte)Math.Clamp(FixedPoint.MultiplyByQuantizedMultiplier((int)s, q.OutputMultipliers[0], q.OutputShifts[0]) + 127, 0, 255)).ToArray();
        Assert.Equal(expected, output);

        var floatRule = q with { Rule = RequantizationRule.Float };
        Conv2DReference.Quantized<byte>(g, floatRule, input, filter, bias, output);
        var expectedFloat = sums.Select(s => (byte)Math.Clamp((int)MathF.Round((int)s * floatRule.OutputScales[0], MidpointRounding.ToEven) + 127, 0, 255)).ToArray();
        Assert.Equal(expectedFloat, output);
    }

    [Fact]
    public void TapsInside_ClipsWindowToInput()
    {
        Assert.Equal((1, 3), ConvolutionGeometry.TapsInside(-1, 1, 3, 5));
        Assert.Equal((0, 2), ConvolutionGeometry.TapsInside(3, 1, 3, 5));
        Assert.Equal((1, 3), ConvolutionGeometry.TapsInside(-2, 2, 3, 3));
        Assert.Equal((1, 2), ConvolutionGeometry.TapsInside(-2, 2, 3, 2));
        Assert.Equal((0, 0), ConvolutionGeometry.TapsInside(5, 1, 3, 5));
        var (start, end) = ConvolutionGeometry.TapsInside(-10, 1, 3, 5);
        Assert.True(start >= end);
    }

    private static FlatTable ConvOptions(Padding padding, int stride, FusedActivation activation = FusedActivation.None, int dilation = 1) =>
        ConvolutionTestSupport.Options((0, (int)padding, 1), (1, stride, 4), (2, stride, 4), (3, (int)activation, 1), (4, dilation, 4), (5, dilation, 4));

    [Fact]
    public void Conv2D_F32_Kernel_SetsShapeAndRuns()
    {
        var input = ConvolutionTestSupport.Float([1, 3, 3, 1], 1, 2, 3, 4, 5, 6, 7, 8, 9);
        var filter = ConvolutionTestSupport.Float([1, 2, 2, 1], 1, 0, 0, -1);
        var bias = ConvolutionTestSupport.Float([1], 0.5f);
        var output = Tensor.Create(TensorType.Float32, [1, 2, 2, 1]);
        var context = ConvolutionTestSupport.Context(BuiltinOperator.CONV_2D, [input, filter, bias], output, ConvOptions(Padding.Valid, 1, FusedActivation.Relu));
        ConvolutionTestSupport.Run(new Conv2DKernel(), context);
        Assert.Equal([1, 2, 2, 1], output.Shape.ToArray());
        Assert.Equal([0f, 0f, 0f, 0f], output.ToArray<float>());
    }

    [Fact]
    public void Conv2D_F32_Kernel_StrideTwoSameShape()
    {
        var input = ConvolutionTestSupport.Float([1, 5, 4, 2], new float[40]);
        var filter = ConvolutionTestSupport.Float([3, 3, 3, 2], new float[54]);
        var output = Tensor.Create(TensorType.Float32, [1, 3, 2, 3]);
        var context = ConvolutionTestSupport.Context(BuiltinOperator.CONV_2D, [input, filter, null], output, ConvOptions(Padding.Same, 2));
        ConvolutionTestSupport.Run(new Conv2DKernel(), context);
        Assert.Equal([1, 3, 2, 3], output.Shape.ToArray());
    }

    [Fact]
    public void Conv2D_QU8_Kernel_MatchesHandComputed()
    {
        var input = ConvolutionTestSupport.UInt8([1, 2, 2, 1], 0.5f, 128, 130, 126, 128, 132);
        var filter = ConvolutionTestSupport.UInt8([1, 2, 2, 1], 0.25f, 100, 104, 96, 108, 100);
        var bias = ConvolutionTestSupport.Int32([1], 0.125f, 8);
        var output = ConvolutionTestSupport.UInt8([1, 1, 1, 1], 0.5f, 10);
        var context = ConvolutionTestSupport.Context(BuiltinOperator.CONV_2D, [input, filter, bias], output, ConvOptions(Padding.Valid, 1));
        ConvolutionTestSupport.Run(new Conv2DKernel(), context);
        Assert.Equal([16], output.ToArray<byte>());
    }

    [Fact]
    public void Conv2D_QC8_Kernel_PerChannelMatchesHandComputed()
    {
        var input = ConvolutionTestSupport.Int8([1, 1, 1, 2], 1f, -1, 3, -5);
        var filter = ConvolutionTestSupport.Int8PerChannel([2, 1, 1, 2], [0.5f, 0.125f], 0, 2, 1, -1, 3);
        var bias = ConvolutionTestSupport.Int32([2], 2, 0);
        var output = ConvolutionTestSupport.Int8([1, 1, 1, 2], 1f, -3);
        var context = ConvolutionTestSupport.Context(BuiltinOperator.CONV_2D, [input, filter, bias], output, ConvOptions(Padding.Valid, 1));
        ConvolutionTestSupport.Run(new Conv2DKernel(), context);
        Assert.Equal([0, -5], output.ToArray<sbyte>());
    }

    [Fact]
    public void Conv2D_QC8_Kernel_Relu6ClampsInQuantizedDomain()
    {
        // Output scale 0.1, zp -128: Relu6 allows [-128, -68]. acc = 127*127 is far above.
        var input = ConvolutionTestSupport.Int8([1, 1, 1, 1], 1f, 0, 127);
        var filter = ConvolutionTestSupport.Int8PerChannel([2, 1, 1, 1], [1f, 1f], 0, 127, -127);
        var output = ConvolutionTestSupport.Int8([1, 1, 1, 2], 0.1f, -128);
        var context = ConvolutionTestSupport.Context(BuiltinOperator.CONV_2D, [input, filter, null], output, ConvOptions(Padding.Valid, 1, FusedActivation.Relu6));
        ConvolutionTestSupport.Run(new Conv2DKernel(), context);
        Assert.Equal([-68, -128], output.ToArray<sbyte>());
    }

    [Fact]
    public void Conv2D_Kernel_GroupedConvolution()
    {
        // Cin 4, filter depth 2: 2 groups, Cout 2 (one per group). out0 = 1+2, out1 = 3+4.
        var input = ConvolutionTestSupport.Float([1, 1, 1, 4], 1, 2, 3, 4);
        var filter = ConvolutionTestSupport.Float([2, 1, 1, 2], 1, 1, 1, 1);
        var output = Tensor.Create(TensorType.Float32, [1, 1, 1, 2]);
        var context = ConvolutionTestSupport.Context(BuiltinOperator.CONV_2D, [input, filter, null], output, ConvOptions(Padding.Valid, 1));
        ConvolutionTestSupport.Run(new Conv2DKernel(), context);
        Assert.Equal([3f, 7f], output.ToArray<float>());
    }

    [Fact]
    public void Conv2D_Prepare_RejectsInconsistentModels()
    {
        var output = Tensor.Create(TensorType.Float32, [1, 1, 1, 1]);
        var options = ConvOptions(Padding.Valid, 1);
        // Filter rank 3.
        var rank3 = ConvolutionTestSupport.Context(BuiltinOperator.CONV_2D,
            [Tensor.Create(TensorType.Float32, [1, 2, 2, 1]), Tensor.Create(TensorType.Float32, [2, 2, 1]), null], output, options);
        Assert.Throws<ModelFormatException>(() => new Conv2DKernel().Prepare(rank3));
        // Filter depth 3 does not divide 4 input channels.
        var depth = ConvolutionTestSupport.Context(BuiltinOperator.CONV_2D,
            [Tensor.Create(TensorType.Float32, [1, 1, 1, 4]), Tensor.Create(TensorType.Float32, [1, 1, 1, 3]), null], output, options);
        Assert.Throws<ModelFormatException>(() => new Conv2DKernel().Prepare(depth));
        // Bias of the wrong length.
        var bias = ConvolutionTestSupport.Context(BuiltinOperator.CONV_2D,
            [Tensor.Create(TensorType.Float32, [1, 1, 1, 1]), Tensor.Create(TensorType.Float32, [1, 1, 1, 1]), Tensor.Create(TensorType.Float32, [2])], output, options);
        Assert.Throws<ModelFormatException>(() => new Conv2DKernel().Prepare(bias));
        // Filter larger than the input with VALID padding.
        var large = ConvolutionTestSupport.Context(BuiltinOperator.CONV_2D,
            [Tensor.Create(TensorType.Float32, [1, 2, 2, 1]), Tensor.Create(TensorType.Float32, [1, 3, 3, 1]), null], output, options);
        Assert.Throws<ModelFormatException>(() => new Conv2DKernel().Prepare(large));
        // Stride 0.
        var stride = ConvolutionTestSupport.Context(BuiltinOperator.CONV_2D,
            [Tensor.Create(TensorType.Float32, [1, 2, 2, 1]), Tensor.Create(TensorType.Float32, [1, 1, 1, 1]), null], output, ConvOptions(Padding.Valid, 0));
        Assert.Throws<ModelFormatException>(() => new Conv2DKernel().Prepare(stride));
        // Padding 2 is neither SAME nor VALID.
        var padding = ConvolutionTestSupport.Context(BuiltinOperator.CONV_2D,
            [Tensor.Create(TensorType.Float32, [1, 2, 2, 1]), Tensor.Create(TensorType.Float32, [1, 1, 1, 1]), null], output, ConvOptions((Padding)2, 1));
        Assert.Throws<ModelFormatException>(() => new Conv2DKernel().Prepare(padding));
        // Too few inputs.
        var count = ConvolutionTestSupport.Context(BuiltinOperator.CONV_2D, [Tensor.Create(TensorType.Float32, [1, 2, 2, 1])], output, options);
        Assert.Throws<ModelFormatException>(() => new Conv2DKernel().Prepare(count));
    }

    [Fact]
    public void Conv2D_Prepare_RejectsUnsupportedTypes()
    {
        var options = ConvOptions(Padding.Valid, 1);
        var floatOutput = Tensor.Create(TensorType.Float32, [1, 1, 1, 1]);
        // Hybrid: float32 activations, int8 or float16 weights.
        var hybrid = ConvolutionTestSupport.Context(BuiltinOperator.CONV_2D,
            [Tensor.Create(TensorType.Float32, [1, 1, 1, 1]), ConvolutionTestSupport.Int8([1, 1, 1, 1], 1f, 0, 1), null], floatOutput, options);
        Assert.Throws<UnsupportedOperatorException>(() => new Conv2DKernel().Prepare(hybrid));
        var half = ConvolutionTestSupport.Context(BuiltinOperator.CONV_2D,
            [Tensor.Create(TensorType.Float32, [1, 1, 1, 1]), Tensor.Create(TensorType.Float16, [1, 1, 1, 1]), null], floatOutput, options);
        Assert.Throws<UnsupportedOperatorException>(() => new Conv2DKernel().Prepare(half));
        // int16 activations.
        var int16 = ConvolutionTestSupport.Context(BuiltinOperator.CONV_2D,
            [Tensor.Create(TensorType.Int16, [1, 1, 1, 1]), ConvolutionTestSupport.Int8([1, 1, 1, 1], 1f, 0, 1), null], Tensor.Create(TensorType.Int16, [1, 1, 1, 1]), options);
        Assert.Throws<UnsupportedOperatorException>(() => new Conv2DKernel().Prepare(int16));
        // int8 weights with a non-zero zero point.
        var zeroPoint = ConvolutionTestSupport.Context(BuiltinOperator.CONV_2D,
            [ConvolutionTestSupport.Int8([1, 1, 1, 1], 1f, 0, 1), ConvolutionTestSupport.Int8([1, 1, 1, 1], 1f, 3, 1), null], ConvolutionTestSupport.Int8([1, 1, 1, 1], 1f, 0), options);
        Assert.Throws<UnsupportedOperatorException>(() => new Conv2DKernel().Prepare(zeroPoint));
    }

    [Fact]
    public void Conv2D_Prepare_RejectsBadQuantization()
    {
        var options = ConvOptions(Padding.Valid, 1);
        var input = ConvolutionTestSupport.UInt8([1, 1, 1, 1], 0.5f, 128, 1);
        var filter = ConvolutionTestSupport.UInt8([1, 1, 1, 1], 0.25f, 128, 1);
        // Bias scale far from input scale × filter scale (0.125).
        var badBias = ConvolutionTestSupport.Context(BuiltinOperator.CONV_2D,
            [input, filter, ConvolutionTestSupport.Int32([1], 1f, 0)], ConvolutionTestSupport.UInt8([1, 1, 1, 1], 0.5f, 0), options);
        Assert.Throws<ModelFormatException>(() => new Conv2DKernel().Prepare(badBias));
        // A slightly different bias scale is accepted.
        var closeBias = ConvolutionTestSupport.Context(BuiltinOperator.CONV_2D,
            [input, filter, ConvolutionTestSupport.Int32([1], 0.12501f, 0)], ConvolutionTestSupport.UInt8([1, 1, 1, 1], 0.5f, 0), options);
        new Conv2DKernel().Prepare(closeBias);
        // Zero output scale.
        var zeroScale = ConvolutionTestSupport.Context(BuiltinOperator.CONV_2D,
            [input, filter, null], ConvolutionTestSupport.UInt8([1, 1, 1, 1], 0f, 0), options);
        Assert.Throws<ModelFormatException>(() => new Conv2DKernel().Prepare(zeroScale));
        // Per-channel int8 weights with the wrong number of scales.
        var scales = ConvolutionTestSupport.Context(BuiltinOperator.CONV_2D,
            [ConvolutionTestSupport.Int8([1, 1, 1, 1], 1f, 0, 1), ConvolutionTestSupport.Int8PerChannel([2, 1, 1, 1], [1f, 1f, 1f], 0, 1, 1), null],
            ConvolutionTestSupport.Int8([1, 1, 1, 2], 1f, 0), options);
        Assert.Throws<ModelFormatException>(() => new Conv2DKernel().Prepare(scales));
        // Per-channel along the wrong dimension.
        var dimension = ConvolutionTestSupport.Context(BuiltinOperator.CONV_2D,
            [ConvolutionTestSupport.Int8([1, 1, 1, 2], 1f, 0, 1, 1), ConvolutionTestSupport.Int8PerChannel([2, 1, 1, 2], [1f, 1f], 3, 1, 1, 1, 1), null],
            ConvolutionTestSupport.Int8([1, 1, 1, 2], 1f, 0), options);
        Assert.Throws<ModelFormatException>(() => new Conv2DKernel().Prepare(dimension));
    }
}
