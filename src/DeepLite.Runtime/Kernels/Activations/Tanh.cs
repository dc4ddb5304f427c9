namespace DeepLite.Runtime.Kernels;

/// <summary>TANH: <c>y = tanh(x)</c> for float32; uint8/int8 through a table of <see cref="ActivationsReference.TanhQuantized"/>, as TFLite's 8-bit kernel does.</summary>
internal sealed class TanhKernel : UnaryKernel
{
    protected override string Name => "TANH";

    protected override void EvalFloat(ReadOnlySpan<float> input, Span<float> output) =>
        UnaryDriver.Map(input, output, default(TanhOperator));

    protected override Func<int, int>? PrepareQuantized(KernelContext context, TensorType type, QuantizedOperand input, QuantizedOperand output) =>
        q => ActivationsReference.TanhQuantized(q, input, output, type);
}

/// <summary>Scalar <see cref="MathF.Tanh"/>.</summary>
internal readonly struct TanhOperator : IUnaryOperator
{
    public float Invoke(float x) => ActivationsReference.Tanh(x);
}
