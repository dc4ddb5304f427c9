namespace DeepLite.Runtime.Kernels;

/// <summary>
/// LOGISTIC (sigmoid): <c>y = 1 / (1 + e^(−x))</c> for float32; uint8/int8 through a table of
/// <see cref="ActivationsReference.LogisticQuantized"/>, as TFLite's 8-bit kernel does. TFLite requires an
/// output scale of exactly 1/256 for 8-bit outputs; so does this kernel.
/// </summary>
internal sealed class LogisticKernel : UnaryKernel
{
    protected override string Name => "LOGISTIC";

    protected override void EvalFloat(ReadOnlySpan<float> input, Span<float> output) =>
        UnaryDriver.Map(input, output, default(LogisticOperator));

    protected override Func<int, int>? PrepareQuantized(KernelContext context, TensorType type, QuantizedOperand input, QuantizedOperand output)
    {
        if (output.Scale != 1f / 256)
        {
            throw context.Invalid($"LOGISTIC with {type.Name()} output needs output scale 1/256, not {output.Scale}.");
        }
        return q => ActivationsReference.LogisticQuantized(q, input, output, type);
    }
}

/// <summary>Scalar sigmoid (no vector exponential is used, so results match <see cref="ActivationsReference.Logistic"/> exactly).</summary>
internal readonly struct LogisticOperator : IUnaryOperator
{
    public float Invoke(float x) => ActivationsReference.Logistic(x);
}
