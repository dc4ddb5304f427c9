using System.Runtime.InteropServices;
using DeepLite.Runtime;
using DeepLite.Runtime.Quantization;

namespace DeepLite.Onnx.Export;

/// <summary>Per-tensor affine quantization: <c>real = Scale · (q − ZeroPoint)</c>.</summary>
internal readonly record struct QuantParams(float Scale, int ZeroPoint);

internal sealed partial class GraphConverter
{
    /// <summary>True when the current flavour keeps tensor <paramref name="index"/> as uint8 with TFLite's
    /// quantization; false for float values. Int8 activations are rejected.</summary>
    private bool IsQuantized(int index)
    {
        if (!QuantizedFlavor) return false;
        var tensor = Tensor(index);
        return tensor.Type switch
        {
            TensorType.UInt8 => tensor.Quantization is not null ? true : throw Unsupported($"uint8 tensor '{tensor.Name}' has no quantization parameters."),
            TensorType.Int8 => throw Unsupported($"tensor '{tensor.Name}' is int8; the QuantizedUInt8 flavour exports uint8 (QU8) models only; use the Float32 flavour."),
            _ => false,
        };
    }

    private QuantParams PerTensor(TensorInfo tensor, string role)
    {
        var q = tensor.Quantization ?? throw Unsupported($"{role} '{tensor.Name}' ({tensor.Type.Name()}) has no quantization parameters.");
        if (q.IsPerChannel) throw Unsupported($"{role} '{tensor.Name}' is quantized per channel; only weights may be.");
        return new QuantParams(q.Scale, q.ZeroPoint);
    }

    private QuantParams Quant(int index) => PerTensor(Tensor(index), "tensor");

    /// <summary>The real values of a constant (or folded) tensor: float32 and float16 as stored, quantized
    /// integers as <c>scale[c] · (q − zeroPoint[c])</c> with c the index along the quantized dimension.</summary>
    private float[] FloatValues(int index)
    {
        if (_foldedFloats.TryGetValue(index, out float[]? folded)) return folded;
        var tensor = Tensor(index);
        var bytes = tensor.Data.Span;
        switch (tensor.Type)
        {
            case TensorType.Float32:
                return MemoryMarshal.Cast<byte, float>(bytes).ToArray();
            case TensorType.Float16:
                return MemoryMarshal.Cast<byte, Half>(bytes).ToArray().Select(h => (float)h).ToArray();
            case TensorType.UInt8 or TensorType.Int8 or TensorType.Int32 when tensor.Quantization is { } q:
            {
                long count = tensor.ElementCount;
                int dimension = q.IsPerChannel ? q.QuantizedDimension : 0;
                int channels = q.IsPerChannel ? tensor.Shape[dimension] : 1;
                long inner = 1;
                for (int d = dimension + 1; d < tensor.Shape.Length; d++) inner *= tensor.Shape[d];
                var values = new float[count];
                for (long i = 0; i < count; i++)
                {
                    int channel = q.IsPerChannel ? (int)(i / inner % channels) : 0;
                    long stored = tensor.Type switch
                    {
                        TensorType.UInt8 => bytes[(int)i],
                        TensorType.Int8 => (sbyte)bytes[(int)i],
                        _ => MemoryMarshal.Cast<byte, int>(bytes)[(int)i],
                    };
                    long zeroPoint = q.ZeroPoints.Length == 0 ? 0 : q.ZeroPoints[Math.Min(channel, q.ZeroPoints.Length - 1)];
                    values[i] = q.Scales[channel] * (stored - zeroPoint);
                }
                return values;
            }
            default:
                throw Unsupported($"constant '{tensor.Name}' of type {tensor.Type.Name()} cannot be used as float.");
        }
    }

    /// <summary>A constant operand of an elementwise or data-movement operator, in the operator's number
    /// format (uint8 as stored when the operator is quantized, else float or int32) and layout.</summary>
    private string ActivationConstant(int index, bool nchw)
    {
        var tensor = Tensor(index);
        int[] shape = tensor.Shape;
        int[]? perm = nchw ? [0, 3, 1, 2] : null;
        long[] dims = nchw ? NchwDims(shape) : Dims(shape);
        string hint = nchw ? $"{tensor.Name}_nchw" : tensor.Name;
        if (!_foldedFloats.ContainsKey(index) && IsQuantized(index))
        {
            return _graph.Constant(hint, OnnxDataType.UInt8, dims, Permute(tensor.Data.Span, shape, perm, 1));
        }
        if (!_foldedFloats.ContainsKey(index) && tensor.Type == TensorType.Int32 && tensor.Quantization is null)
        {
            return _graph.Constant(hint, OnnxDataType.Int32, dims, Permute(tensor.Data.Span, shape, perm, 4));
        }
        var values = FloatValues(index);
        return _graph.Constant(hint, OnnxDataType.Float, dims, Permute(MemoryMarshal.AsBytes(values.AsSpan()), shape, perm, 4));
    }

    /// <summary>
    /// Copies a row-major tensor of <paramref name="shape"/> with its axes reordered: output axis i is input
    /// axis <c>perm[i]</c>. A null <paramref name="perm"/> copies unchanged.
    /// </summary>
    internal static byte[] Permute(ReadOnlySpan<byte> data, int[] shape, int[]? perm, int elementSize)
    {
        if (perm is null) return data.ToArray();
        int rank = shape.Length;
        var inputStrides = new long[rank];
        long stride = 1;
        for (int d = rank - 1; d >= 0; d--)
        {
            inputStrides[d] = stride;
            stride *= shape[d];
        }
        if (stride * elementSize != data.Length) throw new ArgumentException($"{data.Length} bytes do not hold shape [{string.Join(",", shape)}] of {elementSize}-byte elements.");
        var outputShape = perm.Select(p => shape[p]).ToArray();
        var strides = perm.Select(p => inputStrides[p]).ToArray();
        var result = new byte[data.Length];
        var index = new int[rank];
        for (long output = 0; output < stride; output++)
        {
            long input = 0;
            for (int d = 0; d < rank; d++) input += index[d] * strides[d];
            data.Slice((int)(input * elementSize), elementSize).CopyTo(result.AsSpan((int)(output * elementSize), elementSize));
            for (int d = rank - 1; d >= 0; d--)
            {
                if (++index[d] < outputShape[d]) break;
                index[d] = 0;
            }
        }
        return result;
    }

    /// <summary>A float weight initializer: the constant's real values with axes reordered by <paramref name="perm"/>
    /// and then given the shape <paramref name="dims"/>.</summary>
    private string FloatWeights(int index, int[]? perm, long[] dims)
    {
        var tensor = Tensor(index);
        var values = FloatValues(index);
        return _graph.Constant(tensor.Name, OnnxDataType.Float, dims, Permute(MemoryMarshal.AsBytes(values.AsSpan()), tensor.Shape, perm, 4));
    }

    /// <summary>
    /// Quantized convolution weights for QLinearConv: the stored integers with axes reordered by
    /// <paramref name="perm"/>, re-based to <see cref="OnnxExportOptions.QuantizedWeights"/> (uint8 → int8 subtracts
    /// 128 from values and zero points, int8 → uint8 adds 128: the real values are unchanged), with their
    /// scales and zero points as scalars (per tensor) or vectors of <paramref name="outputChannels"/> (per channel).
    /// ONNX Runtime requires one zero point for all channels.
    /// </summary>
    private (string Weights, string Scale, string ZeroPoint) QuantizedWeights(int index, int[]? perm, long[] dims, int outputChannels)
    {
        var tensor = Tensor(index);
        var q = tensor.Quantization ?? throw Unsupported($"weights '{tensor.Name}' are {tensor.Type.Name()} without quantization parameters.");
        if (tensor.Type is not (TensorType.UInt8 or TensorType.Int8)) throw Unsupported($"weights '{tensor.Name}' are {tensor.Type.Name()}; quantized convolutions need 8-bit weights.");
        var target = _options.QuantizedWeights == OnnxWeightType.Int8 ? OnnxDataType.Int8 : OnnxDataType.UInt8;
        int offset = (tensor.Type, target) switch
        {
            (TensorType.UInt8, OnnxDataType.Int8) => -128,
            (TensorType.Int8, OnnxDataType.UInt8) => 128,
            _ => 0,
        };
        long zeroPoint = q.ZeroPoints.Length == 0 ? 0 : q.ZeroPoints[0];
        if (q.ZeroPoints.Any(z => z != zeroPoint)) throw Unsupported($"weights '{tensor.Name}' have different zero points per channel; ONNX Runtime's QLinearConv needs one.");
        var stored = Permute(tensor.Data.Span, tensor.Shape, perm, 1);
        if (offset != 0)
        {
            for (int i = 0; i < stored.Length; i++) stored[i] = unchecked((byte)(stored[i] + offset));
        }
        string weights = _graph.Constant(tensor.Name, target, dims, stored);
        byte storedZeroPoint = unchecked((byte)(zeroPoint + offset));
        if (!q.IsPerChannel) return (weights, _graph.ScalarFloat(q.Scale), _graph.Constant("w_zero_point", target, [], [storedZeroPoint]));
        if (q.Scales.Length != outputChannels) throw Unsupported($"weights '{tensor.Name}' have {q.Scales.Length} scales for {outputChannels} output channels.");
        string scales = _graph.FloatTensor($"{tensor.Name}_scale", [outputChannels], q.Scales);
        string zeroPoints = _graph.Constant($"{tensor.Name}_zero_point", target, [outputChannels], Enumerable.Repeat(storedZeroPoint, outputChannels).ToArray());
        return (weights, scales, zeroPoints);
    }

    /// <summary>An int32 bias as stored (TFLite and ONNX both quantize it with scale input_scale · weight_scale, zero point 0).</summary>
    private string Int32Bias(int index)
    {
        var tensor = Tensor(index);
        if (tensor.Type != TensorType.Int32) throw Unsupported($"bias '{tensor.Name}' is {tensor.Type.Name()}; quantized convolutions need int32.");
        if (tensor.Quantization is { } q && q.ZeroPoints.Any(z => z != 0)) throw Unsupported($"bias '{tensor.Name}' has a non-zero zero point.");
        return _graph.Constant(tensor.Name, OnnxDataType.Int32, [tensor.ElementCount], tensor.Data.ToArray());
    }

    private string FloatBias(int index) => FloatWeights(index, null, [Tensor(index).ElementCount]);

    private string ScaleOf(QuantParams q) => _graph.ScalarFloat(q.Scale);

    private string ZeroPointOf(QuantParams q) => _graph.Scalar8(OnnxDataType.UInt8, q.ZeroPoint);

    private string DequantizeLinear(string value, QuantParams q, string hint) =>
        _graph.Add("DequantizeLinear", hint, [value, ScaleOf(q), ZeroPointOf(q)]);

    /// <summary>QuantizeLinear: <c>saturate(round_half_even(x / scale) + zeroPoint)</c> to uint8.</summary>
    private string QuantizeLinear(string value, QuantParams q, string hint) =>
        _graph.Add("QuantizeLinear", hint, [value, ScaleOf(q), ZeroPointOf(q)]);

    /// <summary>The uint8 value re-expressed with other quantization parameters (through float); unchanged when they are equal.</summary>
    private string Requantize(string value, QuantParams from, QuantParams to, string hint) =>
        from == to ? value : QuantizeLinear(DequantizeLinear(value, from, $"{hint}_real"), to, hint);

    /// <summary>A float fused activation: Relu, or Clip to [−1, 1] or [0, 6]; NONE returns the value.</summary>
    private string FloatActivation(string value, FusedActivation activation, string hint) => activation switch
    {
        FusedActivation.None => value,
        FusedActivation.Relu => _graph.Add("Relu", hint, [value]),
        FusedActivation.Relu6 or FusedActivation.ReluN1To1 => FloatClip(value, QuantizedRange.ForActivation(activation), hint),
        _ => throw Unsupported($"fused activation {activation} is not supported."),
    };

    private string FloatClip(string value, (float Min, float Max) range, string hint) =>
        _graph.Add("Clip", hint, [value, _graph.ScalarFloat(range.Min), _graph.ScalarFloat(range.Max)]);

    /// <summary>
    /// A quantized fused activation: the uint8 clamp TFLite applies (<see cref="QuantizedRange.ForActivation(FusedActivation, TensorType, float, int)"/>),
    /// as a uint8 Clip, or nothing when the clamp is the whole [0, 255].
    /// </summary>
    private string QuantizedActivationClamp(string value, FusedActivation activation, QuantParams output, string hint)
    {
        if (activation is FusedActivation.Tanh or FusedActivation.SignBit) throw Unsupported($"fused activation {activation} is not supported.");
        var (min, max) = QuantizedRange.ForActivation(activation, TensorType.UInt8, output.Scale, output.ZeroPoint);
        if (min <= 0 && max >= 255) return value;
        return _graph.Add("Clip", hint, [value, _graph.Scalar8(OnnxDataType.UInt8, min), _graph.Scalar8(OnnxDataType.UInt8, max)]);
    }

    private FusedActivation ReadActivation(OperatorInfo op, int field)
    {
        byte raw = op.BuiltinOptions.Byte(field);
        if (raw > (byte)FusedActivation.Relu6) throw Unsupported($"fused activation {(FusedActivation)raw} is not supported.");
        return (FusedActivation)raw;
    }
}
