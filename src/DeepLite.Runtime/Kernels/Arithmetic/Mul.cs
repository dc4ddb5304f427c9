using System.Numerics;

namespace DeepLite.Runtime.Kernels;

/// <summary>
/// MUL: <c>output = activation(a · b)</c> with NumPy broadcasting (rank ≤ 6). float32 and int32 multiply and
/// clamp; uint8/int8 use XNNPACK's float requantization (<see cref="XnnpackMulParameters"/>), as TFLite does by
/// default on CPU, or TFLite's reference rule (<see cref="QuantizedMulParameters"/>) for scales XNNPACK declines.
/// Options: MulOptions (fused_activation_function = field 0).
/// </summary>
internal sealed class MulKernel : ActivatedBinaryKernel
{
    private QuantizedMulParameters _reference;
    private XnnpackMulParameters? _xnnpack;

    protected override string Name => "MUL";

    protected override void PrepareQuantized(KernelContext context, QuantizedOperand a, QuantizedOperand b, QuantizedOperand output)
    {
        _xnnpack = XnnpackMulParameters.TryCreate(a, b, output, IntegerMin, IntegerMax);
        _reference = QuantizedMulParameters.Create(a, b, output, IntegerMin, IntegerMax);
    }

    public override void Eval(KernelContext context)
    {
        switch (Type)
        {
            case TensorType.Float32:
                RunVectorized(context, new MultiplyOperator(FloatMin, FloatMax));
                break;
            case TensorType.Int32:
                Run<int, MultiplyInt32Operator>(context, new MultiplyInt32Operator(IntegerMin, IntegerMax));
                break;
            case TensorType.UInt8 when _xnnpack is { } xnnpack:
                Run<byte, XnnpackMulOperator<byte>>(context, new XnnpackMulOperator<byte>(xnnpack));
                break;
            case TensorType.UInt8:
                Run<byte, QuantizedMulOperator<byte>>(context, new QuantizedMulOperator<byte>(_reference));
                break;
            case TensorType.Int8 when _xnnpack is { } xnnpack:
                Run<sbyte, XnnpackMulOperator<sbyte>>(context, new XnnpackMulOperator<sbyte>(xnnpack));
                break;
            default:
                Run<sbyte, QuantizedMulOperator<sbyte>>(context, new QuantizedMulOperator<sbyte>(_reference));
                break;
        }
    }
}

/// <summary><c>min(max(x · y, min), max)</c>, the same steps in both forms.</summary>
internal readonly struct MultiplyOperator(float min, float max) : IVectorBinaryOperator
{
    public float Invoke(float x, float y) => Math.Min(Math.Max(x * y, min), max);

    public Vector<float> Invoke(Vector<float> x, Vector<float> y) =>
        Vector.Min(Vector.Max(x * y, new Vector<float>(min)), new Vector<float>(max));
}

/// <summary>int32 <c>clamp(x · y)</c> with wrapping multiplication.</summary>
internal readonly struct MultiplyInt32Operator(int min, int max) : IBinaryOperator<int>
{
    public int Invoke(int x, int y) => Math.Clamp(unchecked(x * y), min, max);
}

/// <summary>8-bit MUL through <see cref="XnnpackMulParameters.Apply"/>.</summary>
internal readonly struct XnnpackMulOperator<T>(XnnpackMulParameters parameters) : IBinaryOperator<T>
    where T : unmanaged, IBinaryInteger<T>
{
    public T Invoke(T x, T y) => T.CreateTruncating(parameters.Apply(int.CreateTruncating(x), int.CreateTruncating(y)));
}

/// <summary>8-bit MUL through <see cref="QuantizedMulParameters.Apply"/>.</summary>
internal readonly struct QuantizedMulOperator<T>(QuantizedMulParameters parameters) : IBinaryOperator<T>
    where T : unmanaged, IBinaryInteger<T>
{
    public T Invoke(T x, T y) => T.CreateTruncating(parameters.Apply(int.CreateTruncating(x), int.CreateTruncating(y)));
}
