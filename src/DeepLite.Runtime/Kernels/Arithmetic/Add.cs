using System.Numerics;

namespace DeepLite.Runtime.Kernels;

/// <summary>
/// ADD: <c>output = activation(a + b)</c> with NumPy broadcasting (rank ≤ 6). float32 and int32 add and clamp;
/// uint8/int8 use XNNPACK's rule (<see cref="XnnpackAddParameters"/>), as TFLite does by default on CPU, or
/// TFLite's reference rule (<see cref="QuantizedAddParameters"/>) for scales XNNPACK declines. Options:
/// AddOptions (fused_activation_function = field 0).
/// </summary>
internal sealed class AddKernel : AddOrSubtractKernel
{
    public AddKernel() : base(subtract: false)
    {
    }

    protected override string Name => "ADD";
}

/// <summary>
/// Shared body of ADD and SUB: they differ only in the sign of the second operand (for 8-bit, the sign of
/// its multiplier). The fused activation is option field 0 of both AddOptions and SubOptions.
/// </summary>
internal abstract class AddOrSubtractKernel(bool subtract) : ActivatedBinaryKernel
{
    private QuantizedAddParameters _reference;
    private XnnpackAddParameters? _xnnpack;

    protected override void PrepareQuantized(KernelContext context, QuantizedOperand a, QuantizedOperand b, QuantizedOperand output)
    {
        _xnnpack = XnnpackAddParameters.TryCreate(a, b, output, subtract, IntegerMin, IntegerMax);
        _reference = QuantizedAddParameters.Create(a, b, output, subtract, IntegerMin, IntegerMax);
        if (_xnnpack is null && !_reference.HasMultipliersBelowOne)
        {
            throw context.Unsupported($"output scale {output.Scale} is too small for TFLite's 8-bit {Name} arithmetic.");
        }
    }

    public override void Eval(KernelContext context)
    {
        switch (Type)
        {
            case TensorType.Float32 when subtract:
                RunVectorized(context, new SubtractOperator(FloatMin, FloatMax));
                break;
            case TensorType.Float32:
                RunVectorized(context, new AddOperator(FloatMin, FloatMax));
                break;
            case TensorType.Int32:
                Run<int, AddInt32Operator>(context, new AddInt32Operator(subtract, IntegerMin, IntegerMax));
                break;
            case TensorType.UInt8 when _xnnpack is { } xnnpack:
                Run<byte, XnnpackAddOperator<byte>>(context, new XnnpackAddOperator<byte>(xnnpack));
                break;
            case TensorType.UInt8:
                Run<byte, QuantizedAddOperator<byte>>(context, new QuantizedAddOperator<byte>(_reference));
                break;
            case TensorType.Int8 when _xnnpack is { } xnnpack:
                Run<sbyte, XnnpackAddOperator<sbyte>>(context, new XnnpackAddOperator<sbyte>(xnnpack));
                break;
            default:
                Run<sbyte, QuantizedAddOperator<sbyte>>(context, new QuantizedAddOperator<sbyte>(_reference));
                break;
        }
    }
}

/// <summary><c>min(max(x + y, min), max)</c>, the same steps in both forms.</summary>
internal readonly struct AddOperator(float min, float max) : IVectorBinaryOperator
{
    public float Invoke(float x, float y) => Math.Min(Math.Max(x + y, min), max);

    public Vector<float> Invoke(Vector<float> x, Vector<float> y) =>
        Vector.Min(Vector.Max(x + y, new Vector<float>(min)), new Vector<float>(max));
}

/// <summary><c>min(max(x − y, min), max)</c>, the same steps in both forms.</summary>
internal readonly struct SubtractOperator(float min, float max) : IVectorBinaryOperator
{
    public float Invoke(float x, float y) => Math.Min(Math.Max(x - y, min), max);

    public Vector<float> Invoke(Vector<float> x, Vector<float> y) =>
        Vector.Min(Vector.Max(x - y, new Vector<float>(min)), new Vector<float>(max));
}

/// <summary>int32 <c>clamp(x ± y)</c> with wrapping arithmetic, as TFLite's int32 kernels.</summary>
internal readonly struct AddInt32Operator(bool subtract, int min, int max) : IBinaryOperator<int>
{
    public int Invoke(int x, int y) => Math.Clamp(unchecked(subtract ? x - y : x + y), min, max);
}

/// <summary>8-bit ADD/SUB through <see cref="XnnpackAddParameters.Apply"/>.</summary>
internal readonly struct XnnpackAddOperator<T>(XnnpackAddParameters parameters) : IBinaryOperator<T>
    where T : unmanaged, IBinaryInteger<T>
{
    public T Invoke(T x, T y) => T.CreateTruncating(parameters.Apply(int.CreateTruncating(x), int.CreateTruncating(y)));
}

/// <summary>8-bit ADD/SUB through <see cref="QuantizedAddParameters.Apply"/>.</summary>
internal readonly struct QuantizedAddOperator<T>(QuantizedAddParameters parameters) : IBinaryOperator<T>
    where T : unmanaged, IBinaryInteger<T>
{
    public T Invoke(T x, T y) => T.CreateTruncating(parameters.Apply(int.CreateTruncating(x), int.CreateTruncating(y)));
}
