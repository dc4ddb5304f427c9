using System.Numerics;
using DeepLite.Runtime.Quantization;

namespace DeepLite.Runtime.Kernels;

/// <summary>
/// Reference PRELU with <c>alpha</c> broadcast against the input: float32 <c>x ≥ 0 ? x : x · alpha</c>;
/// uint8/int8 follow TFLite's rule in <see cref="QuantizedPreluParameters.Apply"/>.
/// </summary>
internal static class PreluReference
{
    public static void F32(ReadOnlySpan<int> inputShape, ReadOnlySpan<float> input, ReadOnlySpan<int> alphaShape, ReadOnlySpan<float> alpha, Span<float> output) =>
        BroadcastReference.Apply(inputShape, input, alphaShape, alpha, output, (x, a) => x >= 0f ? x : x * a);

    public static void Quantized<T>(ReadOnlySpan<int> inputShape, ReadOnlySpan<T> input, ReadOnlySpan<int> alphaShape, ReadOnlySpan<T> alpha,
        Span<T> output, QuantizedPreluParameters p)
        where T : unmanaged, IBinaryInteger<T> =>
        BroadcastReference.Apply(inputShape, input, alphaShape, alpha, output,
            (x, a) => T.CreateTruncating(p.Apply(int.CreateTruncating(x), int.CreateTruncating(a))));
}

/// <summary>
/// TFLite's 8-bit PRELU (reference <c>prelu.h</c>): with <c>v = q − inZero</c>,
/// <c>v ≥ 0</c>: <c>MultiplyByQuantizedMultiplier(v, inScale / outScale)</c>;
/// otherwise <c>MultiplyByQuantizedMultiplier(v · (alpha − alphaZero), inScale · alphaScale / outScale)</c>;
/// then <c>+ outZero</c> and clamp to the type (scale products and ratios in float32, as TFLite).
/// </summary>
internal readonly record struct QuantizedPreluParameters(int InputOffset, int AlphaOffset, int OutputOffset,
    int PositiveMultiplier, int PositiveShift, int NegativeMultiplier, int NegativeShift, int Min, int Max)
{
    public static QuantizedPreluParameters Create(QuantizedOperand input, QuantizedOperand alpha, QuantizedOperand output, TensorType type)
    {
        var (positiveMultiplier, positiveShift) = FixedPoint.QuantizeMultiplier(input.Scale / output.Scale);
        var (negativeMultiplier, negativeShift) = FixedPoint.QuantizeMultiplier(input.Scale * alpha.Scale / output.Scale);
        var (min, max) = QuantizedRange.OfType(type);
        return new QuantizedPreluParameters(-input.ZeroPoint, -alpha.ZeroPoint, output.ZeroPoint,
            positiveMultiplier, positiveShift, negativeMultiplier, negativeShift, min, max);
    }

    public int Apply(int q, int alpha)
    {
        int value = q + InputOffset;
        int scaled = value >= 0
            ? FixedPoint.MultiplyByQuantizedMultiplier(value, PositiveMultiplier, PositiveShift)
            : FixedPoint.MultiplyByQuantizedMultiplier(value * (alpha + AlphaOffset), NegativeMultiplier, NegativeShift);
        return Math.Clamp(scaled + OutputOffset, Min, Max);
    }
}
