namespace DeepLite.Runtime.Kernels;

/// <summary>
/// SOFTMAX over the last dimension (any rank ≥ 1). Options: SoftmaxOptions beta (field 0, float, default 0
/// as stored; models always store it). float32 exponentiates <c>(x − max) · beta</c> and normalizes; uint8/int8
/// follow TFLite's builtin kernel (a 256-entry float exponent table built here in Prepare, see
/// <see cref="SoftmaxReference.Quantized{T}"/>). As TFLite requires, 8-bit outputs have scale 1/256 and
/// zero point 0 (uint8) or −128 (int8).
/// </summary>
internal sealed class SoftmaxKernel : OperatorKernel
{
    private TensorType _type;
    private int _depth;
    private float _beta;
    private float[] _table = [];
    private float _outputScale;
    private int _outputZeroPoint;

    public override void Prepare(KernelContext context)
    {
        context.ExpectCounts(1, 1, 1);
        var input = context.Input(0);
        var output = context.Output(0);
        if (input.Type != output.Type)
        {
            throw context.Unsupported($"SOFTMAX from {input.Type.Name()} to {output.Type.Name()} is not implemented; input and output types must match.");
        }
        if (input.Rank < 1) throw context.Invalid("SOFTMAX needs an input of rank 1 or more.");
        _type = input.Type;
        _depth = input.Dim(-1);
        _beta = context.Options.Float(0);
        if (!float.IsFinite(_beta)) throw context.Invalid($"SOFTMAX beta {_beta} is not finite.");
        switch (_type)
        {
            case TensorType.Float32:
                break;
            case TensorType.UInt8:
            case TensorType.Int8:
                var inputQuantization = QuantizedOperand.Read(context, input, "input");
                var outputQuantization = QuantizedOperand.Read(context, output, "output");
                int expectedZeroPoint = _type == TensorType.UInt8 ? 0 : -128;
                if (Math.Abs(outputQuantization.Scale - (1f / 256)) > 0.001f / 256 || outputQuantization.ZeroPoint != expectedZeroPoint)
                {
                    throw context.Invalid($"SOFTMAX {_type.Name()} output must have scale 1/256 and zero point {expectedZeroPoint}, not {outputQuantization.Scale} and {outputQuantization.ZeroPoint}.");
                }
                _table = SoftmaxReference.ExpTable(inputQuantization.Scale, _beta);
                _outputScale = outputQuantization.Scale;
                _outputZeroPoint = outputQuantization.ZeroPoint;
                break;
            default:
                throw context.Unsupported("SOFTMAX supports float32, uint8 and int8.");
        }
        context.SetOutputShape(0, input.Shape);
    }

    public override void Eval(KernelContext context)
    {
        var input = context.Input(0);
        var output = context.Output(0);
        if (input.ElementCount == 0 || _depth == 0) return;
        switch (_type)
        {
            case TensorType.Float32:
                SoftmaxReference.F32(input.AsReadOnlySpan<float>(), output.AsSpan<float>(), _depth, _beta);
                break;
            case TensorType.UInt8:
                SoftmaxReference.Quantized(input.AsReadOnlySpan<byte>(), output.AsSpan<byte>(), _depth, _table, _outputScale, _outputZeroPoint);
                break;
            default:
                SoftmaxReference.Quantized(input.AsReadOnlySpan<sbyte>(), output.AsSpan<sbyte>(), _depth, _table, _outputScale, _outputZeroPoint);
                break;
        }
    }
}
