using DeepLite.Runtime.Quantization;

namespace DeepLite.Runtime.Kernels;

/// <summary>
/// DEQUANTIZE to float32 from uint8, int8 or int16 (per-tensor, or per-channel along the quantized
/// dimension) and from float16 (e.g. weights stored as float16 constants). The output has the input's
/// shape. No options. Per-tensor uint8/int8 runs <see cref="DequantizeMicrokernels.ToF32{T}"/> at the vector tier chosen
/// in Prepare, split across <see cref="KernelContext.Workers"/> from <see cref="MinimumParallelElements"/> elements; the
/// other cases use the reference.
/// </summary>
internal sealed class DequantizeKernel : OperatorKernel, IRangeWork
{
    /// <summary>Elements below which splitting across workers costs more than it saves.</summary>
    public const int MinimumParallelElements = 1 << 16;

    private TensorType _from;
    private float _scale;
    private int _zeroPoint;
    private float[]? _scales;
    private int[] _zeroPoints = [];
    private int _channels, _innerSize;
    private VectorTier _tier;
    private WorkSplitter? _splitter;

    public override void Prepare(KernelContext context)
    {
        context.ExpectCounts(1, 1, 1);
        var input = context.Input(0);
        var output = context.Output(0);
        if (output.Type != TensorType.Float32) throw context.Unsupported("DEQUANTIZE produces float32 only.");
        _from = input.Type;
        _scales = null;
        switch (_from)
        {
            case TensorType.Float16:
                break;
            case TensorType.UInt8:
            case TensorType.Int8:
            case TensorType.Int16:
                var q = input.Quantization ?? throw context.Invalid($"input '{input.Name}' is {_from.Name()} but has no quantization parameters.");
                if (q.IsPerChannel) PreparePerChannel(context, input, q);
                else (_scale, _zeroPoint) = QuantizedOperand.Read(context, input, "input");
                break;
            default:
                throw context.Unsupported("DEQUANTIZE supports uint8, int8, int16 and float16 inputs.");
        }
        _tier = VectorTiers.Best;
        _splitter ??= new WorkSplitter(this);
        context.SetOutputShape(0, input.Shape);
    }

    private void PreparePerChannel(KernelContext context, Tensor input, QuantizationParameters q)
    {
        int axis = q.QuantizedDimension;
        if (axis < 0 || axis >= input.Rank) throw context.Invalid($"quantized dimension {axis} is out of range for rank {input.Rank}.");
        _channels = input.Dim(axis);
        if (q.Scales.Length != _channels) throw context.Invalid($"{q.Scales.Length} scales for a dimension of {_channels} channels.");
        if (q.ZeroPoints.Length != _channels && q.ZeroPoints.Length > 1) throw context.Invalid($"{q.ZeroPoints.Length} zero points for {_channels} channels.");
        var (min, max) = QuantizedRange.OfType(input.Type);
        _scales = q.Scales;
        _zeroPoints = new int[_channels];
        for (int c = 0; c < _channels; c++)
        {
            long zeroPoint = q.ZeroPoints.Length == 0 ? 0 : q.ZeroPoints.Length == 1 ? q.ZeroPoints[0] : q.ZeroPoints[c];
            if (zeroPoint < min || zeroPoint > max) throw context.Invalid($"zero point {zeroPoint} of channel {c} is outside the {input.Type.Name()} range.");
            if (!(q.Scales[c] > 0) || !float.IsFinite(q.Scales[c])) throw context.Invalid($"scale {q.Scales[c]} of channel {c} must be positive and finite.");
            _zeroPoints[c] = (int)zeroPoint;
        }
        _innerSize = 1;
        for (int d = axis + 1; d < input.Rank; d++) _innerSize *= input.Dim(d);
    }

    public override void Eval(KernelContext context)
    {
        var input = context.Input(0);
        var output = context.Output(0).AsSpan<float>();
        switch (_from)
        {
            case TensorType.Float16:
                DequantizeReference.FromHalf(input.AsReadOnlySpan<Half>(), output);
                break;
            case TensorType.UInt8 or TensorType.Int8 when _scales is null:
                _splitter!.Run(context, output.Length, MinimumParallelElements / 2);
                break;
            case TensorType.UInt8:
                RunReference(input.AsReadOnlySpan<byte>(), output);
                break;
            case TensorType.Int8:
                RunReference(input.AsReadOnlySpan<sbyte>(), output);
                break;
            default:
                RunReference(input.AsReadOnlySpan<short>(), output);
                break;
        }
    }

    /// <summary>Per-tensor 8-bit elements [begin, end).</summary>
    void IRangeWork.Run(KernelContext context, int begin, int end)
    {
        var input = context.Input(0);
        var output = context.Output(0).AsSpan<float>()[begin..end];
        if (_from == TensorType.UInt8) DequantizeMicrokernels.ToF32(input.AsReadOnlySpan<byte>()[begin..end], output, _scale, _zeroPoint, _tier);
        else DequantizeMicrokernels.ToF32(input.AsReadOnlySpan<sbyte>()[begin..end], output, _scale, _zeroPoint, _tier);
    }

    private void RunReference<T>(ReadOnlySpan<T> input, Span<float> output)
        where T : unmanaged, System.Numerics.IBinaryInteger<T>
    {
        if (_scales is null) DequantizeReference.PerTensor(input, output, _scale, _zeroPoint);
        else if (input.Length > 0) DequantizeReference.PerChannel(input, output, _scales, _zeroPoints, _channels, _innerSize);
    }
}
