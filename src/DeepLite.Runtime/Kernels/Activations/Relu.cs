using System.Numerics;
using DeepLite.Runtime.Quantization;

namespace DeepLite.Runtime.Kernels;

/// <summary>RELU: <c>y = max(x, 0)</c> for float32; uint8/int8 per <see cref="ActivationsReference.ReluQuantized"/>.</summary>
internal sealed class ReluKernel : UnaryKernel
{
    protected override string Name => "RELU";

    protected override void EvalFloat(ReadOnlySpan<float> input, Span<float> output) =>
        UnaryDriver.MapVectorized(input, output, default(ReluOperator));

    protected override Func<int, int>? PrepareQuantized(KernelContext context, TensorType type, QuantizedOperand input, QuantizedOperand output) =>
        q => ActivationsReference.ReluQuantized(q, FusedActivation.Relu, input, output, type);
}

/// <summary>RELU6: <c>y = min(max(x, 0), 6)</c> for float32; uint8/int8 per <see cref="ActivationsReference.ReluQuantized"/>.</summary>
internal sealed class Relu6Kernel : UnaryKernel
{
    protected override string Name => "RELU6";

    protected override void EvalFloat(ReadOnlySpan<float> input, Span<float> output) =>
        UnaryDriver.MapVectorized(input, output, default(Relu6Operator));

    protected override Func<int, int>? PrepareQuantized(KernelContext context, TensorType type, QuantizedOperand input, QuantizedOperand output) =>
        q => ActivationsReference.ReluQuantized(q, FusedActivation.Relu6, input, output, type);
}

/// <summary><c>max(x, 0)</c>; <see cref="Vector.Max{T}"/> has the same IEEE semantics as <see cref="Math.Max(float, float)"/>.</summary>
internal readonly struct ReluOperator : IVectorUnaryOperator
{
    public float Invoke(float x) => ActivationsReference.Relu(x);

    public Vector<float> Invoke(Vector<float> x) => Vector.Max(x, Vector<float>.Zero);
}

/// <summary><c>min(max(x, 0), 6)</c>, the same two steps in both forms.</summary>
internal readonly struct Relu6Operator : IVectorUnaryOperator
{
    public float Invoke(float x) => ActivationsReference.Relu6(x);

    public Vector<float> Invoke(Vector<float> x) => Vector.Min(Vector.Max(x, Vector<float>.Zero), new Vector<float>(6f));
}
