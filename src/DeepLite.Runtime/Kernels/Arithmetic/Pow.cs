namespace DeepLite.Runtime.Kernels;

/// <summary>
/// POW: <c>output = a^b</c> with NumPy broadcasting (rank ≤ 6). float32 uses <see cref="MathF.Pow"/> (C's powf,
/// as TFLite); int32 uses exact repeated squaring and, like TFLite, fails at Eval on a negative exponent. No options.
/// </summary>
internal sealed class PowKernel : BinaryKernel
{
    protected override string Name => "POW";

    protected override void PrepareTypes(KernelContext context, Tensor a, Tensor b, Tensor output)
    {
        if (Type is not (TensorType.Float32 or TensorType.Int32))
        {
            throw context.Unsupported("POW supports float32 and int32.");
        }
    }

    public override void Eval(KernelContext context)
    {
        if (Type == TensorType.Float32)
        {
            Run<float, PowOperator>(context, default);
            return;
        }
        if (context.Input(1).AsReadOnlySpan<int>().IndexOfAnyInRange(int.MinValue, -1) >= 0)
        {
            throw new DeepLiteException($"Operator {context.NodeIndex} (POW): an integer cannot be raised to a negative integer power.");
        }
        Run<int, IntegerPowOperator>(context, default);
    }
}

/// <summary>float32 <c>pow(x, y)</c>.</summary>
internal readonly struct PowOperator : IBinaryOperator<float>
{
    public float Invoke(float x, float y) => MathF.Pow(x, y);
}

/// <summary>int32 <c>x^y</c>, y ≥ 0 (checked before the loop).</summary>
internal readonly struct IntegerPowOperator : IBinaryOperator<int>
{
    public int Invoke(int x, int y) => PowReference.IntegerPower(x, y);
}
