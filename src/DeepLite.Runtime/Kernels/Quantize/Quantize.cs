namespace DeepLite.Runtime.Kernels;

/// <summary>
/// QUANTIZE: float32 → uint8/int8/int16 (per-tensor, <see cref="QuantizeReference.FromFloat{T}"/>) and
/// uint8/int8 → uint8/int8 requantization (<see cref="QuantizeReference.Requantize{TIn, TOut}"/>). The output
/// has the input's shape. No options. float32 → 8-bit runs <see cref="QuantizeMicrokernels.FromF32{T}"/> at the vector
/// tier chosen in Prepare; requantization looks up a 256-entry table built in Prepare; float32 → int16 uses the
/// reference. Tensors of at least <see cref="MinimumParallelElements"/> elements are split across <see cref="KernelContext.Workers"/>.
/// </summary>
internal sealed class QuantizeKernel : OperatorKernel, IRangeWork
{
    /// <summary>Elements below which splitting across workers costs more than it saves.</summary>
    public const int MinimumParallelElements = 1 << 16;

    private TensorType _from, _to;
    private QuantizedOperand _input, _output;
    private byte[] _requantizeTable = [];
    private VectorTier _tier;
    private WorkSplitter? _splitter;

    public override void Prepare(KernelContext context)
    {
        context.ExpectCounts(1, 1, 1);
        var input = context.Input(0);
        var output = context.Output(0);
        _from = input.Type;
        _to = output.Type;
        bool fromFloat = _from == TensorType.Float32 && _to is TensorType.UInt8 or TensorType.Int8 or TensorType.Int16;
        bool requantize = QuantizedOperand.IsEightBit(_from) && QuantizedOperand.IsEightBit(_to);
        if (!fromFloat && !requantize)
        {
            throw context.Unsupported("QUANTIZE supports float32 → uint8/int8/int16 and between uint8 and int8.");
        }
        _output = QuantizedOperand.Read(context, output, "output");
        if (requantize)
        {
            _input = QuantizedOperand.Read(context, input, "input");
            _requantizeTable = (_from, _to) switch
            {
                (TensorType.UInt8, TensorType.UInt8) => QuantizeMicrokernels.RequantizeTable<byte, byte>(_input, _output),
                (TensorType.UInt8, _) => QuantizeMicrokernels.RequantizeTable<byte, sbyte>(_input, _output),
                (_, TensorType.UInt8) => QuantizeMicrokernels.RequantizeTable<sbyte, byte>(_input, _output),
                _ => QuantizeMicrokernels.RequantizeTable<sbyte, sbyte>(_input, _output),
            };
        }
        _tier = VectorTiers.Best;
        _splitter ??= new WorkSplitter(this);
        context.SetOutputShape(0, input.Shape);
    }

    public override void Eval(KernelContext context) =>
        _splitter!.Run(context, (int)context.Input(0).ElementCount, MinimumParallelElements / 2);

    /// <summary>Elements [begin, end).</summary>
    void IRangeWork.Run(KernelContext context, int begin, int end)
    {
        var input = context.Input(0);
        var output = context.Output(0);
        switch (_from, _to)
        {
            case (TensorType.Float32, TensorType.UInt8):
                QuantizeMicrokernels.FromF32(input.AsReadOnlySpan<float>()[begin..end], output.AsSpan<byte>()[begin..end], _output.Scale, _output.ZeroPoint, _tier);
                break;
            case (TensorType.Float32, TensorType.Int8):
                QuantizeMicrokernels.FromF32(input.AsReadOnlySpan<float>()[begin..end], output.AsSpan<sbyte>()[begin..end], _output.Scale, _output.ZeroPoint, _tier);
                break;
            case (TensorType.Float32, _):
                QuantizeReference.FromFloat(input.AsReadOnlySpan<float>()[begin..end], output.AsSpan<short>()[begin..end], _output);
                break;
            default:
                QuantizeMicrokernels.Lookup(input.AsReadOnlyBytes()[begin..end], output.AsBytes()[begin..end], _requantizeTable);
                break;
        }
    }
}
