using DeepLite.Runtime.Format;
using DeepLite.Runtime.Kernels;
using DeepLite.Runtime.Quantization;

namespace DeepLite.Runtime.Tests.Kernels;

public sealed class DepthwiseConv2DTests
{
    private static ConvolutionGeometry Geometry(int batches, int height, int width, int inputChannels, int filterHeight, int filterWidth,
        int multiplier, int stride, int dilation, Padding padding)
    {
        var (outputHeight, padTop) = Conv2DTests.Window(height, filterHeight, stride, dilation, padding);
        var (outputWidth, padLeft) = Conv2DTests.Window(width, filterWidth, stride, dilation, padding);
        return new ConvolutionGeometry(batches, height, width, inputChannels, filterHeight, filterWidth, 1,
            outputHeight, outputWidth, inputChannels * multiplier, stride, stride, dilation, dilation, padTop, padLeft);
    }

    /// <summary>Tap-by-tap depthwise convolution in double, bounds checked per tap: the test's independent oracle.</summary>
    private static double[] Oracle(in ConvolutionGeometry g, double[] input, double[] filter, double[]? bias)
    {
        int multiplier = g.OutputChannels / g.InputChannels;
        var output = new double[g.OutputLength];
        for (int b = 0; b < g.Batches; b++)
        for (int oy = 0; oy < g.OutputHeight; oy++)
        for (int ox = 0; ox < g.OutputWidth; ox++)
        for (int ic = 0; ic < g.InputChannels; ic++)
        for (int m = 0; m < multiplier; m++)
        {
            int oc = (ic * multiplier) + m;
            double sum = bias?[oc] ?? 0;
            for (int fy = 0; fy < g.FilterHeight; fy++)
            for (int fx = 0; fx < g.FilterWidth; fx++)
            {
                int iy = (oy * g.StrideHeight) - g.PadTop + (fy * g.DilationHeight);
                int ix = (ox * g.StrideWidth) - g.PadLeft + (fx * g.DilationWidth);
                if (iy < 0 || iy >= g.InputHeight || ix < 0 || ix >= g.InputWidth) continue;
                sum += input[(((b * g.InputHeight + iy) * g.InputWidth) + ix) * g.InputChannels + ic]
                    * filter[((fy * g.FilterWidth) + fx) * g.OutputChannels + oc];
            }
            output[(((b * g.OutputHeight + oy) * g.OutputWidth) + ox) * g.OutputChannels + oc] = sum;
        }
        return output;
    }

    [Fact]
    public void DepthwiseConv2D_F32_Reference_MatchesHandComputed()
    {
        // 2x2 input with 2 channels, 2x2 filter, multiplier 1, VALID: one output pixel.
        // channel 0: 1*1 + 2*2 + 3*3 + 4*4 = 30; channel 1: 10*1 + 20*0 + 30*0 + 40*(-1) = -30; bias [1, 2].
        var g = Geometry(1, 2, 2, 2, 2, 2, 1, 1, 1, Padding.Valid);
        var output = new float[2];
        DepthwiseConv2DReference.F32(g, [1, 10, 2, 20, 3, 30, 4, 40], [1, 1, 2, 0, 3, 0, 4, -1], [1, 2], output, float.NegativeInfinity, float.PositiveInfinity);
        Assert.Equal([31f, -28f], output);
    }

    [Fact]
    public void DepthwiseConv2D_F32_Reference_MultiplierTwo()
    {
        // One pixel, 2 input channels, multiplier 2: output [x0*w0, x0*w1, x1*w2, x1*w3], clamped to [-1, 6].
        var g = Geometry(1, 1, 1, 2, 1, 1, 2, 1, 1, Padding.Valid);
        var output = new float[4];
        DepthwiseConv2DReference.F32(g, [2, 3], [1, -1, 3, 0.5f], [], output, -1, 6);
        Assert.Equal([2f, -1f, 6f, 1.5f], output);
    }

    [Theory]
    [InlineData(1, 5, 7, 3, 3, 3, 1, 1, 1, Padding.Same)]
    [InlineData(2, 6, 5, 4, 3, 3, 2, 2, 1, Padding.Same)]
    [InlineData(1, 8, 7, 3, 3, 3, 1, 2, 1, Padding.Valid)]
    [InlineData(1, 9, 9, 2, 3, 3, 3, 1, 2, Padding.Same)]
    [InlineData(1, 9, 8, 5, 2, 3, 1, 1, 3, Padding.Valid)]
    [InlineData(1, 3, 3, 17, 5, 5, 1, 1, 1, Padding.Same)]
    public void DepthwiseConv2D_F32_Reference_MatchesTapByTapOracle(int batches, int height, int width, int channels, int filterHeight, int filterWidth,
        int multiplier, int stride, int dilation, Padding padding)
    {
        var g = Geometry(batches, height, width, channels, filterHeight, filterWidth, multiplier, stride, dilation, padding);
        var random = new Random(height * 17 + channels);
        var input = ConvolutionTestSupport.RandomFloats(random, g.InputLength);
        var filter = ConvolutionTestSupport.RandomFloats(random, (long)filterHeight * filterWidth * g.OutputChannels);
        var bias = ConvolutionTestSupport.RandomFloats(random, g.OutputChannels);
        var output = new float[g.OutputLength];
        DepthwiseConv2DReference.F32(g, input, filter, bias, output, float.NegativeInfinity, float.PositiveInfinity);
        var expected = Oracle(g, [.. input.Select(v => (double)v)], [.. filter.Select(v => (double)v)], [.. bias.Select(v => (double)v)]);
        ConvolutionTestSupport.AssertClose(expected.Select(v => (float)v).ToArray(), output);
    }

    [Fact]
    public void DepthwiseConv2D_QU8_Reference_MatchesHandComputed()
    {
        // input zp 100: [104, 96] = [4, -4]; filter zp 50, multiplier 1: [53, 48] = [3, -2]; acc = [12, 8] + bias [-2, 1] = [10, 9].
        // M = 0.5: 5, 4.5 -> 5 (half away from zero); output zp 20 -> [25, 25].
        var g = Geometry(1, 1, 1, 2, 1, 1, 1, 1, 1, Padding.Valid);
        var q = ConvolutionTestSupport.Requantization(100, 50, 20, (0, 255), 0.5, 0.5);
        var output = new byte[2];
        DepthwiseConv2DReference.Quantized<byte>(g, q, [104, 96], [53, 48], [-2, 1], output);
        Assert.Equal([25, 25], output);
    }

    [Fact]
    public void DepthwiseConv2D_QC8_Reference_PerChannelAndSaturation()
    {
        // One pixel, 1 input channel (value 100 - (-28) = 128), multiplier 3, per-channel multipliers.
        // channel 0: 128*1*0.5 = 64; channel 1: 128*127*1 = 16256 -> clamps to 127; channel 2: 128*(-127)*1 -> -128.
        var g = Geometry(1, 1, 1, 1, 1, 1, 3, 1, 1, Padding.Valid);
        var q = ConvolutionTestSupport.Requantization(-28, 0, 0, (-128, 127), 0.5, 1.0, 1.0);
        var output = new sbyte[3];
        DepthwiseConv2DReference.Quantized<sbyte>(g, q, [100], [1, 127, -127], [], output);
        Assert.Equal([64, 127, -128], output);
    }

    [Theory]
    [InlineData(6, 5, 3, 3, 3, 1, 2, 1, Padding.Same)]
    [InlineData(7, 7, 2, 3, 3, 2, 1, 2, Padding.Valid)]
    public void DepthwiseConv2D_QU8_Reference_MatchesTapByTapOracle(int height, int width, int channels, int filterHeight, int filterWidth,
        int multiplier, int stride, int dilation, Padding padding)
    {
        var g = Geometry(1, height, width, channels, filterHeight, filterWidth, multiplier, stride, dilation, padding);
        var random = new Random(height + channels);
        var input = ConvolutionTestSupport.RandomIntegers<byte>(random, g.InputLength, 0, 255);
        var filter = ConvolutionTestSupport.RandomIntegers<byte>(random, (long)filterHeight * filterWidth * g.OutputChannels, 0, 255);
        var bias = ConvolutionTestSupport.RandomIntegers<int>(random, g.OutputChannels, -3000, 3000);
        var q = ConvolutionTestSupport.Requantization(131, 117, 128, (0, 255), Enumerable.Repeat(0.0113, g.OutputChannels).ToArray());
        var output = new byte[g.OutputLength];
        DepthwiseConv2DReference.Quantized<byte>(g, q, input, filter, bias, output);

        var sums = Oracle(g, [.. input.Select(v => (double)(v - 131))], [.. filter.Select(v => (double)(v - 117))], [.. bias.Select(v => (double)v)]);
        var expected = sums.Select(s => (byte)Math.Clamp(FixedPoint.MultiplyByQuantizedMultiplier((int)s, q.OutputMultipliers[0], q.OutputShifts[0]) + 128, 0, 255)).ToArray();
        Assert.Equal(expected, output);
    }

    private static FlatTable Options(Padding padding, int stride, int multiplier, FusedActivation activation = FusedActivation.None, int dilation = 1) =>
        ConvolutionTestSupport.Options((0, (int)padding, 1), (1, stride, 4), (2, stride, 4), (3, multiplier, 4), (4, (int)activation, 1), (5, dilation, 4), (6, dilation, 4));

    [Fact]
    public void DepthwiseConv2D_F32_Kernel_RunsWithRelu6()
    {
        var input = ConvolutionTestSupport.Float([1, 1, 1, 2], 2, 3);
        var filter = ConvolutionTestSupport.Float([1, 1, 1, 4], 1, -1, 3, 0.5f);
        var output = Tensor.Create(TensorType.Float32, [1, 1, 1, 4]);
        // The depth_multiplier option (here a wrong 7) is ignored: the multiplier comes from the shapes.
        var context = ConvolutionTestSupport.Context(BuiltinOperator.DEPTHWISE_CONV_2D, [input, filter, null], output, Options(Padding.Valid, 1, 7, FusedActivation.Relu6));
        ConvolutionTestSupport.Run(new DepthwiseConv2DKernel(), context);
        Assert.Equal([2f, 0f, 6f, 1.5f], output.ToArray<float>());
    }

    [Fact]
    public void DepthwiseConv2D_F32_Kernel_SameStrideTwoShape()
    {
        var input = Tensor.Create(TensorType.Float32, [1, 7, 6, 3]);
        var filter = Tensor.Create(TensorType.Float32, [1, 3, 3, 3]);
        var output = Tensor.Create(TensorType.Float32, [1, 4, 3, 3]);
        var context = ConvolutionTestSupport.Context(BuiltinOperator.DEPTHWISE_CONV_2D, [input, filter], output, Options(Padding.Same, 2, 1));
        ConvolutionTestSupport.Run(new DepthwiseConv2DKernel(), context);
        Assert.Equal([1, 4, 3, 3], output.Shape.ToArray());
    }

    [Fact]
    public void DepthwiseConv2D_QU8_Kernel_MatchesHandComputed()
    {
        var input = ConvolutionTestSupport.UInt8([1, 1, 1, 2], 0.5f, 100, 104, 96);
        var filter = ConvolutionTestSupport.UInt8([1, 1, 1, 2], 0.5f, 50, 53, 48);
        var bias = ConvolutionTestSupport.Int32([2], 0.25f, -2, 1);
        var output = ConvolutionTestSupport.UInt8([1, 1, 1, 2], 0.5f, 20);
        var context = ConvolutionTestSupport.Context(BuiltinOperator.DEPTHWISE_CONV_2D, [input, filter, bias], output, Options(Padding.Valid, 1, 1));
        ConvolutionTestSupport.Run(new DepthwiseConv2DKernel(), context);
        // Kernels use XNNPACK's rule: [10, 9] * 0.5 = [5, 4.5] -> [5, 4] (half to even), unlike the reference rule's [5, 5].
        Assert.Equal([25, 24], output.ToArray<byte>());
    }

    [Fact]
    public void DepthwiseConv2D_QC8_Kernel_PerChannelOnDimensionThree()
    {
        var input = ConvolutionTestSupport.Int8([1, 1, 1, 1], 1f, -28, 100);
        var filter = ConvolutionTestSupport.Int8PerChannel([1, 1, 1, 3], [0.5f, 1f, 1f], 3, 1, 127, -127);
        var output = ConvolutionTestSupport.Int8([1, 1, 1, 3], 1f, 0);
        var context = ConvolutionTestSupport.Context(BuiltinOperator.DEPTHWISE_CONV_2D, [input, filter, null], output, Options(Padding.Valid, 1, 3));
        ConvolutionTestSupport.Run(new DepthwiseConv2DKernel(), context);
        Assert.Equal([64, 127, -128], output.ToArray<sbyte>());
    }

    [Fact]
    public void DepthwiseConv2D_Prepare_RejectsInconsistentModels()
    {
        var output = Tensor.Create(TensorType.Float32, [1, 1, 1, 2]);
        var options = Options(Padding.Valid, 1, 1);
        // Filter must start with 1.
        var leading = ConvolutionTestSupport.Context(BuiltinOperator.DEPTHWISE_CONV_2D,
            [Tensor.Create(TensorType.Float32, [1, 1, 1, 2]), Tensor.Create(TensorType.Float32, [2, 1, 1, 2]), null], output, options);
        Assert.Throws<ModelFormatException>(() => new DepthwiseConv2DKernel().Prepare(leading));
        // Output channels (3) not a multiple of input channels (2).
        var multiple = ConvolutionTestSupport.Context(BuiltinOperator.DEPTHWISE_CONV_2D,
            [Tensor.Create(TensorType.Float32, [1, 1, 1, 2]), Tensor.Create(TensorType.Float32, [1, 1, 1, 3]), null], output, options);
        Assert.Throws<ModelFormatException>(() => new DepthwiseConv2DKernel().Prepare(multiple));
        // Bias length.
        var bias = ConvolutionTestSupport.Context(BuiltinOperator.DEPTHWISE_CONV_2D,
            [Tensor.Create(TensorType.Float32, [1, 1, 1, 2]), Tensor.Create(TensorType.Float32, [1, 1, 1, 2]), Tensor.Create(TensorType.Float32, [3])], output, options);
        Assert.Throws<ModelFormatException>(() => new DepthwiseConv2DKernel().Prepare(bias));
        // Input rank 3.
        var rank = ConvolutionTestSupport.Context(BuiltinOperator.DEPTHWISE_CONV_2D,
            [Tensor.Create(TensorType.Float32, [1, 1, 2]), Tensor.Create(TensorType.Float32, [1, 1, 1, 2]), null], output, options);
        Assert.Throws<ModelFormatException>(() => new DepthwiseConv2DKernel().Prepare(rank));
        // Dilation 0.
        var dilation = ConvolutionTestSupport.Context(BuiltinOperator.DEPTHWISE_CONV_2D,
            [Tensor.Create(TensorType.Float32, [1, 1, 1, 2]), Tensor.Create(TensorType.Float32, [1, 1, 1, 2]), null], output, Options(Padding.Valid, 1, 1, dilation: 0));
        Assert.Throws<ModelFormatException>(() => new DepthwiseConv2DKernel().Prepare(dilation));
    }

    [Fact]
    public void DepthwiseConv2D_Prepare_RejectsUnsupported()
    {
        var options = Options(Padding.Valid, 1, 1);
        var hybrid = ConvolutionTestSupport.Context(BuiltinOperator.DEPTHWISE_CONV_2D,
            [Tensor.Create(TensorType.Float32, [1, 1, 1, 1]), ConvolutionTestSupport.Int8([1, 1, 1, 1], 1f, 0, 1), null], Tensor.Create(TensorType.Float32, [1, 1, 1, 1]), options);
        Assert.Throws<UnsupportedOperatorException>(() => new DepthwiseConv2DKernel().Prepare(hybrid));
        // TANH is not a supported fused activation.
        var tanh = ConvolutionTestSupport.Context(BuiltinOperator.DEPTHWISE_CONV_2D,
            [Tensor.Create(TensorType.Float32, [1, 1, 1, 1]), Tensor.Create(TensorType.Float32, [1, 1, 1, 1]), null], Tensor.Create(TensorType.Float32, [1, 1, 1, 1]),
            Options(Padding.Valid, 1, 1, FusedActivation.Tanh));
        Assert.Throws<UnsupportedOperatorException>(() => new DepthwiseConv2DKernel().Prepare(tanh));
    }
}
