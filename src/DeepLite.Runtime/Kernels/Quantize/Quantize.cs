namespace DeepLite.Runtime.Kernels;

/// <summary>
/// QUANTIZE: float32 → uint8/int8/int16 (per-tensor, <see cref="QuantizeReference.FromFloat{T}"/>) and
/// uint8/int8 → uint8/int8 requantization (<see cref="QuantizeReference.Requantize{TIn, TOut}"/>). The output
/// has the input's shape. No options.
/// </summary>
internal sealed class QuantizeKernel : OperatorKernel
{
    private TensorType _from, _to;
    private QuantizedOperand _input, _output;

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
        if (requantize) _input = QuantizedOperand.Read(context, input, "input");
        context.SetOutputShape(0, input.Shape);
    }

    public override void Eval(KernelContext context)
    {
        var input = context.Input(0);
        var output = context.Output(0);
        switch (_from, _to)
        {
            case (TensorType.Float32, TensorType.UInt8):
                QuantizeReference.FromFloat(input.AsReadOnlySpan<float>(), output.AsSpan<byte>(), _output);
                break;
            case (TensorType.Float32, TensorType.Int8):
                QuantizeReference.FromFloat(input.AsReadOnlySpan<float>(), output.AsSpan<sbyte>(), _output);
                break;
            case (TensorType.Float32, _):
                QuantizeReference.FromFloat(input.AsReadOnlySpan<float>(), output.AsSpan<short>(), _output);
                break;
            case (TensorType.UInt8, TensorType.UInt8):
                QuantizeReference.Requantize(input.AsReadOnlySpan<byte>(), output.AsSpan<byte>(), _input, _output);
                break;
            case (TensorType.UInt8, _):
                QuantizeReference.Requantize(input.AsReadOnlySpan<byte>(), output.AsSpan<sbyte>(), _input, _output);
                break;
            case (_, TensorType.UInt8):
                QuantizeReference.Requantize(input.AsReadOnlySpan<sbyte>(), output.AsSpan<byte>(), _input, _output);
                break;
            default:
                QuantizeReference.Requantize(input.AsReadOnlySpan<sbyte>(), output.AsSpan<sbyte>(), _input, _output);
                break;
        }
    }
}
