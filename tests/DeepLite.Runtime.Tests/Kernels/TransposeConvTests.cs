using System.Runtime.InteropServices;
using DeepLite.Runtime.Format;
using DeepLite.Runtime.Kernels;
using DeepLite.Runtime.Quantization;

namespace DeepLite.Runtime.Tests.Kernels;

public sealed class TransposeConvTests
{
    /// <summary>Geometry with TFLite's padding: that of a forward convolution from the output size.</summary>
    private static ConvolutionGeometry Geometry(int batches, int height, int width, int inputChannels, int filterHeight, int filterWidth,
        int outputHeight, int outputWidth, int outputChannels, int stride, Padding padding)
    {
        var (_, padTop) = Conv2DTests.Window(outputHeight, filterHeight, stride, 1, padding);
        var (_, padLeft) = Conv2DTests.Window(outputWidth, filterWidth, stride, 1, padding);
        return new ConvolutionGeometry(batches, height, width, inputChannels, filterHeight, filterWidth, inputChannels,
            outputHeight, outputWidth, outputChannels, stride, stride, 1, 1, padTop, padLeft);
    }

    /// <summary>TFLite's scatter formulation and loop order (input pixel, input channel, tap, output channel) with per-position bounds checks, in double.</summary>
    private static double[] Oracle(in ConvolutionGeometry g, double[] input, double[] filter, double[]? bias)
    {
        var output = new double[g.OutputLength];
        for (int b = 0; b < g.Batches; b++)
        for (int iy = 0; iy < g.InputHeight; iy++)
        for (int ix = 0; ix < g.InputWidth; ix++)
        for (int ic = 0; ic < g.InputChannels; ic++)
        for (int fy = 0; fy < g.FilterHeight; fy++)
        for (int fx = 0; fx < g.FilterWidth; fx++)
        for (int oc = 0; oc < g.OutputChannels; oc++)
        {
            int oy = (iy * g.StrideHeight) - g.PadTop + fy;
            int ox = (ix * g.StrideWidth) - g.PadLeft + fx;
            if (oy < 0 || oy >= g.OutputHeight || ox < 0 || ox >= g.OutputWidth) continue;
            output[(((b * g.OutputHeight + oy) * g.OutputWidth) + ox) * g.OutputChannels + oc] +=
                input[(((b * g.InputHeight + iy) * g.InputWidth) + ix) * g.InputChannels + ic]
                * filter[(((oc * g.FilterHeight + fy) * g.FilterWidth) + fx) * g.InputChannels + ic];
        }
        if (bias is not null)
        {
            for (int i = 0; i < output.Length; i++) output[i] += bias[i % g.OutputChannels];
        }
        return output;
    }

    [Fact]
    public void TransposeConv_F32_Reference_MatchesHandComputed()
    {
        // 2x2 input [1, 2; 3, 4], 2x2 filter of ones, stride 2, VALID, output 4x4: each input value fills its own 2x2 block.
        var g = Geometry(1, 2, 2, 1, 2, 2, 4, 4, 1, 2, Padding.Valid);
        var output = new float[16];
        TransposeConvReference.F32(g, [1, 2, 3, 4], [1, 1, 1, 1], [], output, float.NegativeInfinity, float.PositiveInfinity);
        Assert.Equal([1f, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4], output);
    }

    [Fact]
    public void TransposeConv_F32_Reference_OverlapsAddUp()
    {
        // 1x2 input [1, 2], 1x3 filter [1, 10, 100], stride 1, VALID, output 1x4: [1, 10 + 2, 100 + 20, 200]; bias -1; clamp at 150.
        var g = Geometry(1, 1, 2, 1, 1, 3, 1, 4, 1, 1, Padding.Valid);
        var output = new float[4];
        TransposeConvReference.F32(g, [1, 2], [1, 10, 100], [-1], output, float.NegativeInfinity, 150);
        Assert.Equal([0f, 11f, 119f, 150f], output);
    }

    [Theory]
    [InlineData(1, 3, 3, 2, 3, 3, 6, 6, 3, 2, Padding.Same)]
    [InlineData(1, 3, 3, 2, 3, 3, 7, 7, 3, 2, Padding.Valid)]
    [InlineData(2, 4, 3, 3, 2, 2, 4, 3, 2, 1, Padding.Same)]
    [InlineData(1, 5, 4, 1, 3, 2, 7, 5, 4, 1, Padding.Valid)]
    [InlineData(1, 2, 2, 5, 4, 4, 6, 6, 2, 3, Padding.Same)]
    [InlineData(1, 3, 3, 2, 2, 2, 8, 8, 2, 3, Padding.Valid)]
    [InlineData(1, 3, 3, 2, 3, 3, 8, 8, 2, 2, Padding.Valid)]
    public void TransposeConv_F32_Reference_MatchesScatterOracle(int batches, int height, int width, int inputChannels, int filterHeight, int filterWidth,
        int outputHeight, int outputWidth, int outputChannels, int stride, Padding padding)
    {
        var g = Geometry(batches, height, width, inputChannels, filterHeight, filterWidth, outputHeight, outputWidth, outputChannels, stride, padding);
        var random = new Random(height * 11 + outputHeight);
        var input = ConvolutionTestSupport.RandomFloats(random, g.InputLength);
        var filter = ConvolutionTestSupport.RandomFloats(random, (long)outputChannels * filterHeight * filterWidth * inputChannels);
        var bias = ConvolutionTestSupport.RandomFloats(random, outputChannels);
        var output = new float[g.OutputLength];
        TransposeConvReference.F32(g, input, filter, bias, output, float.NegativeInfinity, float.PositiveInfinity);
        var expected = Oracle(g, [.. input.Select(v => (double)v)], [.. filter.Select(v => (double)v)], [.. bias.Select(v => (double)v)]);
        ConvolutionTestSupport.AssertClose(expected.Select(v => (float)v).ToArray(), output);
    }

    [Fact]
    public void TransposeConv_QU8_Reference_MatchesScatterOracle()
    {
        var g = Geometry(1, 3, 3, 2, 3, 3, 6, 6, 3, 2, Padding.Same);
        var random = new Random(3);
        var input = ConvolutionTestSupport.RandomIntegers<byte>(random, g.InputLength, 0, 255);
        var filter = ConvolutionTestSupport.RandomIntegers<byte>(random, 3 * 3 * 3 * 2, 0, 255);
        var bias = ConvolutionTestSupport.RandomIntegers<int>(random, 3, -4000, 4000);
        var q = ConvolutionTestSupport.Requantization(125, 133, 110, (0, 255), 0.004, 0.004, 0.004);
        var output = new byte[g.OutputLength];
        TransposeConvReference.Quantized<byte>(g, q, input, filter, bias, output);
        var sums = Oracle(g, [.. input.Select(v => (double)(v - 125))], [.. filter.Select(v => (double)(v - 133))], [.. bias.Select(v => (double)v)]);
        var expected = sums.Select(s => (byte)Math.Clamp(FixedPoint.MultiplyByQuantizedMultiplier((int)s, q.OutputMultipliers[0], q.OutputShifts[0]) + 110, 0, 255)).ToArray();
        Assert.Equal(expected, output);
    }

    [Fact]
    public void TransposeConv_QC8_Reference_PerChannelHandComputed()
    {
        // One input pixel [10 - (-2) = 12], 1x1 filter, two output channels [3, -5] with multipliers 0.5 and 0.25, bias [1, 0]:
        // acc = [37, -60] -> [18.5 -> 19, -15]; output zp 5 -> [24, -10].
        var g = Geometry(1, 1, 1, 1, 1, 1, 1, 1, 2, 1, Padding.Valid);
        var q = ConvolutionTestSupport.Requantization(-2, 0, 5, (-128, 127), 0.5, 0.25);
        var output = new sbyte[2];
        TransposeConvReference.Quantized<sbyte>(g, q, [10], [3, -5], [1, 0], output);
        Assert.Equal([24, -10], output);
    }

    private static FlatTable Options(Padding padding, int stride, FusedActivation activation = FusedActivation.None) =>
        ConvolutionTestSupport.Options((0, (int)padding, 1), (1, stride, 4), (2, stride, 4), (3, (int)activation, 1));

    private static Tensor OutputShape(params int[] shape) =>
        Tensor.CreateConstant(TensorType.Int32, [shape.Length], MemoryMarshal.AsBytes(shape.AsSpan()).ToArray());

    [Fact]
    public void TransposeConv_F32_Kernel_MatchesHandComputed()
    {
        var input = ConvolutionTestSupport.Float([1, 2, 2, 1], 1, 2, 3, 4);
        var weights = ConvolutionTestSupport.Float([1, 2, 2, 1], 1, 1, 1, 1);
        var output = Tensor.Create(TensorType.Float32, [1, 4, 4, 1]);
        var context = ConvolutionTestSupport.Context(BuiltinOperator.TRANSPOSE_CONV, [OutputShape(1, 4, 4, 1), weights, input], output, Options(Padding.Valid, 2));
        ConvolutionTestSupport.Run(new TransposeConvKernel(), context);
        Assert.Equal([1, 4, 4, 1], output.Shape.ToArray());
        Assert.Equal([1f, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4], output.ToArray<float>());
    }

    [Fact]
    public void TransposeConv_F32_Kernel_BiasAndRelu()
    {
        var input = ConvolutionTestSupport.Float([1, 1, 2, 1], 1, 2);
        var weights = ConvolutionTestSupport.Float([1, 1, 3, 1], 1, -10, 100);
        var bias = ConvolutionTestSupport.Float([1], 1);
        var output = Tensor.Create(TensorType.Float32, [1, 1, 4, 1]);
        var context = ConvolutionTestSupport.Context(BuiltinOperator.TRANSPOSE_CONV, [OutputShape(1, 1, 4, 1), weights, input, bias], output,
            Options(Padding.Valid, 1, FusedActivation.Relu));
        ConvolutionTestSupport.Run(new TransposeConvKernel(), context);
        // [1, -10 + 2, 100 - 20, 200] + 1 = [2, -7, 81, 201] -> Relu.
        Assert.Equal([2f, 0f, 81f, 201f], output.ToArray<float>());
    }

    [Fact]
    public void TransposeConv_QU8_Kernel_MatchesHandComputed()
    {
        // input zp 100 [110] = 10; weights zp 50 [52, 47] = [2, -3]; acc [20, -30]; M = 0.5*0.5/1 = 0.25 -> [5, -7.5 -> -8] under either rule; zp 128.
        var input = ConvolutionTestSupport.UInt8([1, 1, 1, 1], 0.5f, 100, 110);
        var weights = ConvolutionTestSupport.UInt8([2, 1, 1, 1], 0.5f, 50, 52, 47);
        var output = ConvolutionTestSupport.UInt8([1, 1, 1, 2], 1f, 128);
        var context = ConvolutionTestSupport.Context(BuiltinOperator.TRANSPOSE_CONV, [OutputShape(1, 1, 1, 2), weights, input], output, Options(Padding.Valid, 1));
        ConvolutionTestSupport.Run(new TransposeConvKernel(), context);
        Assert.Equal([133, 120], output.ToArray<byte>());
    }

    [Fact]
    public void TransposeConv_QC8_Kernel_PerChannelOnDimensionZero()
    {
        var input = ConvolutionTestSupport.Int8([1, 1, 1, 1], 1f, -2, 10);
        var weights = ConvolutionTestSupport.Int8PerChannel([2, 1, 1, 1], [0.5f, 0.25f], 0, 3, -5);
        var bias = ConvolutionTestSupport.Int32([2], 1, 0);
        var output = ConvolutionTestSupport.Int8([1, 1, 1, 2], 1f, 5);
        var context = ConvolutionTestSupport.Context(BuiltinOperator.TRANSPOSE_CONV, [OutputShape(1, 1, 1, 2), weights, input, bias], output, Options(Padding.Valid, 1));
        ConvolutionTestSupport.Run(new TransposeConvKernel(), context);
        // Kernels use XNNPACK's rule: 37 * 0.5 = 18.5 -> 18 (half to even), so [23, -10] where the reference rule gives [24, -10].
        Assert.Equal([23, -10], output.ToArray<sbyte>());
    }

    [Fact]
    public void TransposeConv_Prepare_RejectsInconsistentModels()
    {
        var output = Tensor.Create(TensorType.Float32, [1, 4, 4, 1]);
        var input = Tensor.Create(TensorType.Float32, [1, 2, 2, 1]);
        var weights = Tensor.Create(TensorType.Float32, [1, 2, 2, 1]);
        var options = Options(Padding.Valid, 2);
        // output_shape with 3 values.
        var length = ConvolutionTestSupport.Context(BuiltinOperator.TRANSPOSE_CONV, [OutputShape(1, 4, 4), weights, input], output, options);
        Assert.Throws<ModelFormatException>(() => new TransposeConvKernel().Prepare(length));
        // output channels differ from the weights' (2 vs 1).
        var channels = ConvolutionTestSupport.Context(BuiltinOperator.TRANSPOSE_CONV, [OutputShape(1, 4, 4, 2), weights, input], output, options);
        Assert.Throws<ModelFormatException>(() => new TransposeConvKernel().Prepare(channels));
        // weights depth differs from the input channels.
        var depth = ConvolutionTestSupport.Context(BuiltinOperator.TRANSPOSE_CONV,
            [OutputShape(1, 4, 4, 1), Tensor.Create(TensorType.Float32, [1, 2, 2, 3]), input], output, options);
        Assert.Throws<ModelFormatException>(() => new TransposeConvKernel().Prepare(depth));
        // batch differs.
        var batch = ConvolutionTestSupport.Context(BuiltinOperator.TRANSPOSE_CONV, [OutputShape(2, 4, 4, 1), weights, input], output, options);
        Assert.Throws<ModelFormatException>(() => new TransposeConvKernel().Prepare(batch));
        // bias length.
        var bias = ConvolutionTestSupport.Context(BuiltinOperator.TRANSPOSE_CONV,
            [OutputShape(1, 4, 4, 1), weights, input, Tensor.Create(TensorType.Float32, [2])], output, options);
        Assert.Throws<ModelFormatException>(() => new TransposeConvKernel().Prepare(bias));
    }

    [Fact]
    public void TransposeConv_Prepare_RejectsUnsupported()
    {
        var output = Tensor.Create(TensorType.Float32, [1, 4, 4, 1]);
        var input = Tensor.Create(TensorType.Float32, [1, 2, 2, 1]);
        // output_shape computed at run time.
        var dynamic = ConvolutionTestSupport.Context(BuiltinOperator.TRANSPOSE_CONV,
            [ConvolutionTestSupport.Int32([4], 1, 4, 4, 1), Tensor.Create(TensorType.Float32, [1, 2, 2, 1]), input], output, Options(Padding.Valid, 2));
        Assert.Throws<UnsupportedOperatorException>(() => new TransposeConvKernel().Prepare(dynamic));
        // Hybrid float16 weights.
        var half = ConvolutionTestSupport.Context(BuiltinOperator.TRANSPOSE_CONV,
            [OutputShape(1, 4, 4, 1), Tensor.Create(TensorType.Float16, [1, 2, 2, 1]), input], output, Options(Padding.Valid, 2));
        Assert.Throws<UnsupportedOperatorException>(() => new TransposeConvKernel().Prepare(half));
    }
}
