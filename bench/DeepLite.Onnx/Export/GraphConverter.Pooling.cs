using System.Runtime.InteropServices;
using DeepLite.Runtime;

namespace DeepLite.Onnx.Export;

internal sealed partial class GraphConverter
{
    private const string MicrosoftDomain = "com.microsoft";

    /// <summary>
    /// AVERAGE_POOL_2D and MAX_POOL_2D (Pool2DOptions: padding 0, stride_w 1, stride_h 2, filter_w 3, filter_h 4,
    /// activation 5) on the NCHW input. Padded positions neither count nor contribute, as in TFLite
    /// (<c>count_include_pad = 0</c>). An average pool whose single output pixel covers the whole input becomes a
    /// global average pool. Quantized: a global average with equal input and output parameters is
    /// <see cref="RoundingHalfUpGlobalAverage"/> (TFLite's rounding), other averages <c>com.microsoft</c>
    /// QLinearGlobalAveragePool / QLinearAveragePool (ties to even), and MaxPool runs on uint8 (ONNX opset 12+).
    /// </summary>
    private void Pool2D(OperatorInfo op, bool isAverage)
    {
        int input = Input(op, 0), output = op.Outputs[0];
        var options = op.BuiltinOptions;
        int[] inputShape = Tensor(input).Shape, outputShape = Tensor(output).Shape;
        if (inputShape.Length != 4) throw Unsupported("input must have rank 4.");
        int filterHeight = options.Int(4), filterWidth = options.Int(3);
        var window = MakeWindow(options.Byte(0), inputShape, filterHeight, filterWidth, options.Int(2), options.Int(1), 1, 1);
        var activation = ReadActivation(op, 5);
        bool global = isAverage && outputShape[1] == 1 && outputShape[2] == 1 && filterHeight >= inputShape[1] && filterWidth >= inputShape[2];
        string x = Nchw(input), hint = OutputHint(output), y;
        var averageAttributes = window.PoolAttributes().Append(OnnxAttribute.Of("count_include_pad", 0L)).ToArray();
        if (IsQuantized(output))
        {
            QuantParams inputQuant = Quant(input), outputQuant = Quant(output);
            string[] quantizedInputs = [x, ScaleOf(inputQuant), ZeroPointOf(inputQuant), ScaleOf(outputQuant), ZeroPointOf(outputQuant)];
            if (!isAverage)
            {
                y = Requantize(_graph.Add("MaxPool", hint, [x], window.PoolAttributes()), inputQuant, outputQuant, $"{hint}_requantized");
            }
            else if (global && inputQuant == outputQuant)
            {
                y = RoundingHalfUpGlobalAverage(x, inputShape, inputQuant, hint);
            }
            else if (global)
            {
                y = _graph.AddInDomain(MicrosoftDomain, "QLinearGlobalAveragePool", hint, quantizedInputs, OnnxAttribute.Of("channels_last", 0L));
            }
            else
            {
                y = _graph.AddInDomain(MicrosoftDomain, "QLinearAveragePool", hint, quantizedInputs, averageAttributes);
            }
            y = QuantizedActivationClamp(y, activation, outputQuant, $"{hint}_clamped");
        }
        else
        {
            y = !isAverage ? _graph.Add("MaxPool", hint, [x], window.PoolAttributes())
                : global ? _graph.Add("GlobalAveragePool", hint, [x])
                : _graph.Add("AveragePool", hint, [x], averageAttributes);
            y = FloatActivation(y, activation, $"{hint}_activated");
        }
        SetOutput(output, y, nchw: true);
    }

    /// <summary>
    /// TFLite's uint8 average of a whole H×W plane with equal input and output parameters,
    /// <c>(Σq + n/2) / n</c> (ties round up), as a depthwise QLinearConv: every weight 4 with scale 1/(4n) and a
    /// bias of 1, so the output is <c>round_half_even(mean + 1/(4n))</c>. Pushing every value up by 1/(4n) turns
    /// ties into round-up and moves no other value across a rounding boundary (those lie at least 1/(2n) away).
    /// ONNX Runtime's QLinearGlobalAveragePool rounds ties to even instead: one step off wherever the mean is a
    /// tie just above an even integer (5 of 256 channels of MobileNet v1 0.25's 4×4 pool on the cat image), which the
    /// classifier's softmax amplifies to 8 steps.
    /// </summary>
    private string RoundingHalfUpGlobalAverage(string x, int[] inputShape, QuantParams quant, string hint)
    {
        int height = inputShape[1], width = inputShape[2], channels = inputShape[3];
        int count = height * width;
        var weightType = _options.QuantizedWeights == OnnxWeightType.Int8 ? OnnxDataType.Int8 : OnnxDataType.UInt8;
        string weights = _graph.Constant($"{hint}_sum_weights", weightType, [channels, 1, height, width], Enumerable.Repeat((byte)4, channels * count).ToArray());
        string weightScale = _graph.ScalarFloat(1f / (4f * count));
        string weightZeroPoint = _graph.Scalar8(weightType, 0);
        string bias = _graph.Constant($"{hint}_rounding_bias", OnnxDataType.Int32, [channels], MemoryMarshal.AsBytes(Enumerable.Repeat(1, channels).ToArray().AsSpan()).ToArray());
        var window = new Window([height, width], [1, 1], [1, 1], [0, 0, 0, 0]);
        return _graph.Add("QLinearConv", hint,
            [x, ScaleOf(quant), ZeroPointOf(quant), weights, weightScale, weightZeroPoint, ScaleOf(quant), ZeroPointOf(quant), bias], window.ConvAttributes(channels));
    }

    /// <summary>
    /// MEAN over constant axes (ReducerOptions: keep_dims 0). Float: ReduceMean, in NCHW when the input already
    /// is and the result keeps TFLite's element order. Quantized: a spatial mean of a rank-4 tensor is
    /// <c>com.microsoft</c> QLinearGlobalAveragePool; any other is DequantizeLinear → ReduceMean → QuantizeLinear.
    /// </summary>
    private void Mean(OperatorInfo op)
    {
        int input = Input(op, 0), axesTensor = Input(op, 1), output = op.Outputs[0];
        bool keepDims = op.BuiltinOptions.Bool(0);
        int rank = Tensor(input).Shape.Length;
        long[] axes = ConstantIntegers(axesTensor).Select(a => (long)(a < 0 ? a + rank : a)).Distinct().Order().ToArray();
        if (axes.Any(a => a < 0 || a >= rank)) throw Unsupported($"axes [{string.Join(",", axes)}] are outside rank {rank}.");
        bool spatial = rank == 4 && axes.SequenceEqual([1L, 2L]);
        bool reducesHeightAndWidth = axes.Contains(1) && axes.Contains(2);
        string hint = OutputHint(output), y;
        if (IsQuantized(output) && spatial)
        {
            QuantParams inputQuant = Quant(input), outputQuant = Quant(output);
            y = _graph.AddInDomain(MicrosoftDomain, "QLinearGlobalAveragePool", hint,
                [Nchw(input), ScaleOf(inputQuant), ZeroPointOf(inputQuant), ScaleOf(outputQuant), ZeroPointOf(outputQuant)], OnnxAttribute.Of("channels_last", 0L));
            if (!keepDims) y = _graph.Add("Reshape", $"{hint}_reshaped", [y, _graph.Int64Vector("shape", Dims(Tensor(output).Shape))]);
            SetOutput(output, y, nchw: keepDims);
            return;
        }
        bool nchw = rank == 4 && !IsConstant(input) && HasNchw(input) && (keepDims || reducesHeightAndWidth);
        long[] onnxAxes = nchw ? axes.Select(a => (long)NhwcAxisInNchw[a]).Order().ToArray() : axes;
        var attributes = new[] { OnnxAttribute.Of("axes", onnxAxes), OnnxAttribute.Of("keepdims", keepDims ? 1L : 0L) };
        if (IsQuantized(output))
        {
            string real = DequantizeLinear(InLayout(input, nchw), Quant(input), $"{hint}_input_real");
            y = QuantizeLinear(_graph.Add("ReduceMean", $"{hint}_real", [real], attributes), Quant(output), hint);
        }
        else
        {
            y = _graph.Add("ReduceMean", hint, [InLayout(input, nchw)], attributes);
        }
        SetOutput(output, y, nchw: nchw && keepDims);
    }

    /// <summary>The values of a constant int32 or int64 tensor (axes, paddings).</summary>
    private long[] ConstantIntegers(int index)
    {
        var tensor = Tensor(index);
        if (!tensor.IsConstant) throw Unsupported($"'{tensor.Name}' must be a constant.");
        return tensor.Type switch
        {
            TensorType.Int32 => MemoryMarshal.Cast<byte, int>(tensor.Data.Span).ToArray().Select(v => (long)v).ToArray(),
            TensorType.Int64 => MemoryMarshal.Cast<byte, long>(tensor.Data.Span).ToArray(),
            _ => throw Unsupported($"'{tensor.Name}' is {tensor.Type.Name()}; int32 or int64 expected."),
        };
    }
}
