using System.Numerics;

namespace DeepLite.Runtime.Kernels;

/// <summary>ABS: <c>y = |x|</c> for float32; int8 requantizes <c>|q − inZero|</c> (see <see cref="ElementwiseReference.AbsQuantized"/>).</summary>
internal sealed class AbsKernel : UnaryKernel
{
    protected override string Name => "ABS";

    protected override void EvalFloat(ReadOnlySpan<float> input, Span<float> output) =>
        UnaryDriver.MapVectorized(input, output, default(AbsOperator));

    protected override Func<int, int>? PrepareQuantized(KernelContext context, TensorType type, QuantizedOperand input, QuantizedOperand output) =>
        type == TensorType.Int8 ? q => ElementwiseReference.AbsQuantized(q, input, output, type) : null;
}

/// <summary><c>|x|</c>; the vector form clears the sign bit exactly like the scalar form.</summary>
internal readonly struct AbsOperator : IVectorUnaryOperator
{
    public float Invoke(float x) => ElementwiseReference.Abs(x);

    public Vector<float> Invoke(Vector<float> x) => Vector.Abs(x);
}
