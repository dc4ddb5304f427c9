using System.Numerics;

namespace DeepLite.Runtime.Kernels;

/// <summary>
/// PRELU: <c>output = input ≥ 0 ? input : input · alpha</c>, with <c>alpha</c> (input 1, usually a constant of
/// shape [1, 1, C] or [C]) broadcast against the input; the output has the input's shape. float32, and
/// uint8/int8 with TFLite's rule (<see cref="QuantizedPreluParameters"/>). No options.
/// </summary>
internal sealed class PreluKernel : BinaryKernel
{
    private QuantizedPreluParameters _quantized;

    protected override string Name => "PRELU";

    protected override void PrepareTypes(KernelContext context, Tensor a, Tensor b, Tensor output)
    {
        if (!BroadcastShape.SequenceEqual(a.Shape))
        {
            throw context.Invalid($"PRELU alpha [{string.Join(",", b.Shape.ToArray())}] must broadcast to the input shape [{string.Join(",", a.Shape.ToArray())}].");
        }
        switch (Type)
        {
            case TensorType.Float32:
                break;
            case TensorType.UInt8:
            case TensorType.Int8:
                _quantized = QuantizedPreluParameters.Create(QuantizedOperand.Read(context, a, "input"), QuantizedOperand.Read(context, b, "alpha"),
                    QuantizedOperand.Read(context, output, "output"), Type);
                break;
            default:
                throw context.Unsupported("PRELU supports float32, uint8 and int8.");
        }
    }

    public override void Eval(KernelContext context)
    {
        switch (Type)
        {
            case TensorType.Float32:
                RunVectorized(context, default(PreluOperator));
                break;
            case TensorType.UInt8:
                Run<byte, QuantizedPreluOperator<byte>>(context, new QuantizedPreluOperator<byte>(_quantized));
                break;
            default:
                Run<sbyte, QuantizedPreluOperator<sbyte>>(context, new QuantizedPreluOperator<sbyte>(_quantized));
                break;
        }
    }
}

/// <summary><c>x ≥ 0 ? x : x · alpha</c>; the vector form selects per lane on the same comparison.</summary>
internal readonly struct PreluOperator : IVectorBinaryOperator
{
    public float Invoke(float x, float alpha) => x >= 0f ? x : x * alpha;

    public Vector<float> Invoke(Vector<float> x, Vector<float> alpha) =>
        Vector.ConditionalSelect(Vector.GreaterThanOrEqual(x, Vector<float>.Zero), x, x * alpha);
}

/// <summary>8-bit PRELU through <see cref="QuantizedPreluParameters.Apply"/>.</summary>
internal readonly struct QuantizedPreluOperator<T>(QuantizedPreluParameters parameters) : IBinaryOperator<T>
    where T : unmanaged, IBinaryInteger<T>
{
    public T Invoke(T x, T alpha) => T.CreateTruncating(parameters.Apply(int.CreateTruncating(x), int.CreateTruncating(alpha)));
}
