using System.Numerics;

namespace DeepLite.Runtime.Kernels;

/// <summary>
/// SQUARED_DIFFERENCE: <c>output = (a − b)²</c> with NumPy broadcasting (rank ≤ 6). float32 and int32
/// directly; int8 with TFLite's rule (<see cref="QuantizedSquaredDifferenceParameters"/>). No options.
/// </summary>
internal sealed class SquaredDifferenceKernel : BinaryKernel
{
    private QuantizedSquaredDifferenceParameters _quantized;

    protected override string Name => "SQUARED_DIFFERENCE";

    protected override void PrepareTypes(KernelContext context, Tensor a, Tensor b, Tensor output)
    {
        switch (Type)
        {
            case TensorType.Float32:
            case TensorType.Int32:
                break;
            case TensorType.Int8:
                _quantized = QuantizedSquaredDifferenceParameters.Create(QuantizedOperand.Read(context, a, "input 0"),
                    QuantizedOperand.Read(context, b, "input 1"), QuantizedOperand.Read(context, output, "output"));
                if (!_quantized.HasMultipliersBelowOne)
                {
                    throw context.Unsupported("output scale is too small for TFLite's int8 SQUARED_DIFFERENCE arithmetic.");
                }
                break;
            default:
                throw context.Unsupported("SQUARED_DIFFERENCE supports float32, int32 and int8.");
        }
    }

    public override void Eval(KernelContext context)
    {
        switch (Type)
        {
            case TensorType.Float32:
                RunVectorized(context, default(SquaredDifferenceOperator));
                break;
            case TensorType.Int32:
                Run<int, SquaredDifferenceInt32Operator>(context, default);
                break;
            default:
                Run<sbyte, QuantizedSquaredDifferenceOperator>(context, new QuantizedSquaredDifferenceOperator(_quantized));
                break;
        }
    }
}

/// <summary><c>d = x − y; d · d</c> in both forms.</summary>
internal readonly struct SquaredDifferenceOperator : IVectorBinaryOperator
{
    public float Invoke(float x, float y)
    {
        float d = x - y;
        return d * d;
    }

    public Vector<float> Invoke(Vector<float> x, Vector<float> y)
    {
        var d = x - y;
        return d * d;
    }
}

/// <summary>int32 <c>(x − y)²</c> with wrapping arithmetic.</summary>
internal readonly struct SquaredDifferenceInt32Operator : IBinaryOperator<int>
{
    public int Invoke(int x, int y)
    {
        int d = unchecked(x - y);
        return unchecked(d * d);
    }
}

/// <summary>int8 SQUARED_DIFFERENCE through <see cref="QuantizedSquaredDifferenceParameters.Apply"/>.</summary>
internal readonly struct QuantizedSquaredDifferenceOperator(QuantizedSquaredDifferenceParameters parameters) : IBinaryOperator<sbyte>
{
    public sbyte Invoke(sbyte x, sbyte y) => (sbyte)parameters.Apply(x, y);
}
