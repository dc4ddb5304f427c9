using System.Numerics;

namespace DeepLite.Runtime.Kernels;

/// <summary>RSQRT: <c>y = 1 / √x</c> for float32; int8 per <see cref="ElementwiseReference.RsqrtQuantized"/>, failing on negative inputs as TFLite does.</summary>
internal sealed class RsqrtKernel : UnaryKernel
{
    protected override string Name => "RSQRT";

    protected override void EvalFloat(ReadOnlySpan<float> input, Span<float> output) =>
        UnaryDriver.MapVectorized(input, output, default(RsqrtOperator));

    protected override Func<int, int>? PrepareQuantized(KernelContext context, TensorType type, QuantizedOperand input, QuantizedOperand output)
    {
        if (type != TensorType.Int8) return null;
        RejectInputsBelow(input.ZeroPoint, "RSQRT is only defined for positive values.");
        return q => ElementwiseReference.RsqrtQuantized(q, input, output, type);
    }
}

/// <summary><c>1 / √x</c> as a true division (no approximate reciprocal square root), identical in both forms.</summary>
internal readonly struct RsqrtOperator : IVectorUnaryOperator
{
    public float Invoke(float x) => ElementwiseReference.Rsqrt(x);

    public Vector<float> Invoke(Vector<float> x) => Vector<float>.One / Vector.SquareRoot(x);
}
