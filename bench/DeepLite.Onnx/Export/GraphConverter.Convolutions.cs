using DeepLite.Runtime;
using DeepLite.Runtime.Quantization;

namespace DeepLite.Onnx.Export;

internal sealed partial class GraphConverter
{
    /// <summary>Geometry of one 2-D convolution or pool in ONNX terms (NCHW, pads [top, left, bottom, right]).</summary>
    private readonly record struct Window(long[] KernelShape, long[] Strides, long[] Dilations, long[] Pads)
    {
        public OnnxAttribute[] ConvAttributes(long group) =>
        [
            OnnxAttribute.Of("kernel_shape", KernelShape),
            OnnxAttribute.Of("strides", Strides),
            OnnxAttribute.Of("dilations", Dilations),
            OnnxAttribute.Of("pads", Pads),
            OnnxAttribute.Of("group", group),
        ];

        public OnnxAttribute[] PoolAttributes() =>
        [
            OnnxAttribute.Of("kernel_shape", KernelShape),
            OnnxAttribute.Of("strides", Strides),
            OnnxAttribute.Of("pads", Pads),
        ];
    }

    /// <summary>
    /// TFLite's padding for one spatial dimension: output = ceil(in / stride) for SAME,
    /// ceil((in − effective + 1) / stride) for VALID, effective = (filter − 1)·dilation + 1;
    /// total = max((output − 1)·stride + effective − in, 0) for SAME (0 for VALID), before = total / 2.
    /// </summary>
    private (long Before, long After) Padding(byte padding, int input, int filter, int stride, int dilation, string dimension)
    {
        if (padding > 1) throw Unsupported($"padding {padding} is neither SAME nor VALID.");
        if (stride <= 0 || dilation <= 0 || filter <= 0) throw Unsupported($"{dimension}: stride {stride}, dilation {dilation} and filter {filter} must be positive.");
        if (padding == 1) return (0, 0);
        long effective = ((long)filter - 1) * dilation + 1;
        long output = (input + (long)stride - 1) / stride;
        long total = Math.Max((output - 1) * stride + effective - input, 0);
        return (total / 2, total - (total / 2));
    }

    private Window MakeWindow(byte padding, int[] inputShape, int filterHeight, int filterWidth, int strideHeight, int strideWidth, int dilationHeight, int dilationWidth)
    {
        var (top, bottom) = Padding(padding, inputShape[1], filterHeight, strideHeight, dilationHeight, "height");
        var (left, right) = Padding(padding, inputShape[2], filterWidth, strideWidth, dilationWidth, "width");
        return new Window([filterHeight, filterWidth], [strideHeight, strideWidth], [dilationHeight, dilationWidth], [top, left, bottom, right]);
    }

    /// <summary>CONV_2D (Conv2DOptions: padding 0, stride_w 1, stride_h 2, activation 3, dilation_w 4, dilation_h 5).
    /// Filter [O, KH, KW, I] → OIHW; group = C / I.</summary>
    private void Conv2D(OperatorInfo op)
    {
        int input = Input(op, 0), filter = Input(op, 1);
        var options = op.BuiltinOptions;
        int[] inputShape = Tensor(input).Shape, filterShape = Tensor(filter).Shape;
        if (inputShape.Length != 4 || filterShape.Length != 4) throw Unsupported("input and filter must have rank 4.");
        int outputChannels = filterShape[0], inputChannelsPerGroup = filterShape[3];
        if (inputChannelsPerGroup <= 0 || inputShape[3] % inputChannelsPerGroup != 0) throw Unsupported($"input channels {inputShape[3]} are not a multiple of the filter's {inputChannelsPerGroup}.");
        var window = MakeWindow(options.Byte(0), inputShape, filterShape[1], filterShape[2], options.Int(2), options.Int(1), options.Int(5, 1), options.Int(4, 1));
        Convolution(op, window, group: inputShape[3] / inputChannelsPerGroup, perm: [0, 3, 1, 2],
            weightDims: [outputChannels, inputChannelsPerGroup, filterShape[1], filterShape[2]], ReadActivation(op, 3));
    }

    /// <summary>DEPTHWISE_CONV_2D (options: padding 0, stride_w 1, stride_h 2, depth_multiplier 3, activation 4,
    /// dilation_w 5, dilation_h 6). Filter [1, KH, KW, C·M] → [C·M, 1, KH, KW]; group = C, so output channel
    /// c·M + m reads input channel c as in TFLite.</summary>
    private void DepthwiseConv2D(OperatorInfo op)
    {
        int input = Input(op, 0), filter = Input(op, 1);
        var options = op.BuiltinOptions;
        int[] inputShape = Tensor(input).Shape, filterShape = Tensor(filter).Shape;
        if (inputShape.Length != 4 || filterShape.Length != 4 || filterShape[0] != 1) throw Unsupported("input must have rank 4 and the filter shape [1, KH, KW, C·M].");
        int channels = inputShape[3], outputChannels = filterShape[3];
        if (channels <= 0 || outputChannels % channels != 0) throw Unsupported($"filter channels {outputChannels} are not a multiple of the input's {channels}.");
        var window = MakeWindow(options.Byte(0), inputShape, filterShape[1], filterShape[2], options.Int(2), options.Int(1), options.Int(6, 1), options.Int(5, 1));
        Convolution(op, window, group: channels, perm: [3, 0, 1, 2],
            weightDims: [outputChannels, 1, filterShape[1], filterShape[2]], ReadActivation(op, 4));
    }

    /// <summary>Conv (float) or QLinearConv (uint8 activations, 8-bit weights, int32 bias) on the NCHW input,
    /// then the fused activation; the output stays NCHW.</summary>
    private void Convolution(OperatorInfo op, Window window, long group, int[] perm, long[] weightDims, FusedActivation activation)
    {
        int input = Input(op, 0), filter = Input(op, 1), output = op.Outputs[0];
        int? bias = OptionalInput(op, 2);
        string x = Nchw(input);
        string hint = OutputHint(output);
        string y;
        if (IsQuantized(output))
        {
            if (!IsQuantized(input)) throw Unsupported("a quantized output needs a quantized input.");
            var (weights, weightScale, weightZeroPoint) = QuantizedWeights(filter, perm, weightDims, (int)weightDims[0]);
            QuantParams inputQuant = Quant(input), outputQuant = Quant(output);
            List<string> inputs = [x, ScaleOf(inputQuant), ZeroPointOf(inputQuant), weights, weightScale, weightZeroPoint, ScaleOf(outputQuant), ZeroPointOf(outputQuant)];
            if (bias is int b) inputs.Add(Int32Bias(b));
            y = _graph.Add("QLinearConv", hint, [.. inputs], window.ConvAttributes(group));
            y = QuantizedActivationClamp(y, activation, outputQuant, $"{hint}_clamped");
        }
        else
        {
            List<string> inputs = [x, FloatWeights(filter, perm, weightDims)];
            if (bias is int b) inputs.Add(FloatBias(b));
            y = _graph.Add("Conv", hint, [.. inputs], window.ConvAttributes(group));
            y = FloatActivation(y, activation, $"{hint}_activated");
        }
        SetOutput(output, y, nchw: true);
    }

    /// <summary>
    /// FULLY_CONNECTED (options: activation 0, weights_format 1 (DEFAULT only), keep_num_dims 2): the input is
    /// flattened to [N, K] with K = weights' second dimension. Float: Gemm with transB = 1. Quantized: a 1×1
    /// QLinearConv on [N, K, 1, 1] (QLinearConv takes the int32 bias; QLinearMatMul does not). The result is
    /// reshaped to the TFLite output shape.
    /// </summary>
    private void FullyConnected(OperatorInfo op)
    {
        int input = Input(op, 0), weights = Input(op, 1), output = op.Outputs[0];
        int? bias = OptionalInput(op, 2);
        if (op.BuiltinOptions.Byte(1) != 0) throw Unsupported("only the DEFAULT weights format is supported.");
        var activation = ReadActivation(op, 0);
        int[] weightShape = Tensor(weights).Shape;
        if (weightShape.Length != 2 || !IsConstant(weights)) throw Unsupported("weights must be a constant [O, K] matrix.");
        long units = weightShape[0], depth = weightShape[1];
        long batches = Tensor(input).ElementCount / depth;
        long[] outputShape = Dims(Tensor(output).Shape);
        string hint = OutputHint(output);
        string x = FlatOrder(input);
        string y;
        if (IsQuantized(output))
        {
            if (!IsQuantized(input)) throw Unsupported("a quantized output needs a quantized input.");
            string x4 = _graph.Add("Reshape", $"{hint}_input", [x, _graph.Int64Vector("shape", [batches, depth, 1, 1])]);
            var (w, weightScale, weightZeroPoint) = QuantizedWeights(weights, null, [units, depth, 1, 1], (int)units);
            QuantParams inputQuant = Quant(input), outputQuant = Quant(output);
            List<string> inputs = [x4, ScaleOf(inputQuant), ZeroPointOf(inputQuant), w, weightScale, weightZeroPoint, ScaleOf(outputQuant), ZeroPointOf(outputQuant)];
            if (bias is int b) inputs.Add(Int32Bias(b));
            var window = new Window([1, 1], [1, 1], [1, 1], [0, 0, 0, 0]);
            y = _graph.Add("QLinearConv", $"{hint}_conv", [.. inputs], window.ConvAttributes(1));
            y = _graph.Add("Reshape", hint, [y, _graph.Int64Vector("shape", outputShape)]);
            y = QuantizedActivationClamp(y, activation, outputQuant, $"{hint}_clamped");
        }
        else
        {
            int[] inputShape = Tensor(input).Shape;
            if (inputShape.Length != 2 || inputShape[0] != batches)
            {
                x = _graph.Add("Reshape", $"{hint}_input", [x, _graph.Int64Vector("shape", [batches, depth])]);
            }
            List<string> inputs = [x, FloatWeights(weights, null, [units, depth])];
            if (bias is int b) inputs.Add(FloatBias(b));
            y = _graph.Add("Gemm", hint, [.. inputs], OnnxAttribute.Of("transB", 1L));
            if (outputShape.Length != 2 || outputShape[0] != batches || outputShape[1] != units)
            {
                y = _graph.Add("Reshape", $"{hint}_reshaped", [y, _graph.Int64Vector("shape", outputShape)]);
            }
            y = FloatActivation(y, activation, $"{hint}_activated");
        }
        SetOutput(output, y, nchw: false);
    }
}
