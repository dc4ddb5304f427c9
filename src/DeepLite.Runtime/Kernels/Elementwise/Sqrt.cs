using System.Numerics;

namespace DeepLite.Runtime.Kernels;

/// <summary>SQRT: <c>y = √x</c> for float32 (NaN below zero); int8 per <see cref="ElementwiseReference.SqrtQuantized"/>, failing on negative inputs as TFLite does.</summary>
internal sealed class SqrtKernel : UnaryKernel
{
    protected override string Name => "SQRT";

    protected override void EvalFloat(ReadOnlySpan<float> input, Span<float> output) =>
        UnaryDriver.MapVectorized(input, output, default(SqrtOperator));

    protected override Func<int, int>? PrepareQuantized(KernelContext context, TensorType type, QuantizedOperand input, QuantizedOperand output)
    {
        if (type != TensorType.Int8) return null;
        RejectInputsBelow(input.ZeroPoint, "SQRT is only defined for non-negative values.");
        return q => ElementwiseReference.SqrtQuantized(q, input, output, type);
    }
}

/// <summary><c>√x</c>; IEEE square root is correctly rounded in both forms.</summary>
internal readonly struct SqrtOperator : IVectorUnaryOperator
{
    public float Invoke(float x) => ElementwiseReference.Sqrt(x);

    public Vector<float> Invoke(Vector<float> x) => Vector.SquareRoot(x);
}
