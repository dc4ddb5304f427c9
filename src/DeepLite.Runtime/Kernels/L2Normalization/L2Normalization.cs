using DeepLite.Runtime.Quantization;

namespace DeepLite.Runtime.Kernels;

/// <summary>
/// L2_NORMALIZATION over the last dimension (rank ≥ 1): <c>y = x / max(‖x‖₂, 1e-6)</c> for float32; uint8 and
/// int8 use TFLite's fixed-point inverse square root (<see cref="L2NormalizationReference"/>) and, as TFLite
/// requires, an output scale of 1/128 with zero point 128 (uint8) or 0 (int8). Options: L2NormOptions
/// fused_activation_function (field 0), which TFLite only accepts as NONE.
/// </summary>
internal sealed class L2NormalizationKernel : OperatorKernel
{
    private TensorType _type;
    private int _depth;
    private int _inputZeroPoint;

    public override void Prepare(KernelContext context)
    {
        context.ExpectCounts(1, 1, 1);
        var input = context.Input(0);
        var output = context.Output(0);
        if (input.Type != output.Type)
        {
            throw context.Invalid($"L2_NORMALIZATION input is {input.Type.Name()} but output is {output.Type.Name()}; they must match.");
        }
        if (input.Rank < 1) throw context.Invalid("L2_NORMALIZATION needs an input of rank 1 or more.");
        if (KernelHelpers.ReadActivation(context, 0) != FusedActivation.None)
        {
            throw context.Unsupported("L2_NORMALIZATION with a fused activation is not supported (TFLite rejects it too).");
        }
        _type = input.Type;
        _depth = input.Dim(-1);
        switch (_type)
        {
            case TensorType.Float32:
                break;
            case TensorType.UInt8:
            case TensorType.Int8:
                _inputZeroPoint = QuantizedOperand.Read(context, input, "input").ZeroPoint;
                var outputQuantization = QuantizedOperand.Read(context, output, "output");
                int expectedZeroPoint = _type == TensorType.UInt8 ? 128 : 0;
                if (outputQuantization.Scale != 1f / 128 || outputQuantization.ZeroPoint != expectedZeroPoint)
                {
                    throw context.Invalid($"L2_NORMALIZATION {_type.Name()} output must have scale 1/128 and zero point {expectedZeroPoint}, not {outputQuantization.Scale} and {outputQuantization.ZeroPoint}.");
                }
                if ((long)_depth * 255 * 255 > int.MaxValue)
                {
                    throw context.Unsupported($"L2_NORMALIZATION over {_depth} quantized values would overflow TFLite's int32 sum of squares.");
                }
                break;
            default:
                throw context.Unsupported("L2_NORMALIZATION supports float32, uint8 and int8.");
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
                L2NormalizationReference.F32(input.AsReadOnlySpan<float>(), output.AsSpan<float>(), _depth);
                break;
            case TensorType.UInt8:
                L2NormalizationReference.UInt8(input.AsReadOnlySpan<byte>(), output.AsSpan<byte>(), _depth, _inputZeroPoint);
                break;
            default:
                L2NormalizationReference.Int8(input.AsReadOnlySpan<sbyte>(), output.AsSpan<sbyte>(), _depth, _inputZeroPoint);
                break;
        }
    }
}
