using System.Numerics;

namespace DeepLite.Runtime.Kernels;

/// <summary>
/// HARD_SWISH: <c>y = x · min(6, max(0, x + 3)) / 6</c> for float32; uint8/int8 through a table of TFLite's
/// 16-bit fixed-point rule (<see cref="ActivationsReference.HardSwishQuantized"/>).
/// </summary>
internal sealed class HardSwishKernel : UnaryKernel
{
    protected override string Name => "HARD_SWISH";

    protected override void EvalFloat(ReadOnlySpan<float> input, Span<float> output) =>
        UnaryDriver.MapVectorized(input, output, default(HardSwishOperator));

    protected override Func<int, int>? PrepareQuantized(KernelContext context, TensorType type, QuantizedOperand input, QuantizedOperand output)
    {
        var parameters = HardSwishParameters.Create(input, output)
            ?? throw context.Unsupported($"HARD_SWISH output scale {output.Scale} is too small relative to input scale {input.Scale}/128.");
        return q => ActivationsReference.HardSwishQuantized(q, parameters, type);
    }
}

/// <summary><c>x · min(6, max(0, x + 3)) / 6</c>: the same operations in the same order in both forms.</summary>
internal readonly struct HardSwishOperator : IVectorUnaryOperator
{
    public float Invoke(float x) => ActivationsReference.HardSwish(x);

    public Vector<float> Invoke(Vector<float> x)
    {
        var six = new Vector<float>(6f);
        return x * Vector.Min(six, Vector.Max(Vector<float>.Zero, x + new Vector<float>(3f))) / six;
    }
}
