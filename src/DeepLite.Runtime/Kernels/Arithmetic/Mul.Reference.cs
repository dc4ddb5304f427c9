using System.Numerics;
using DeepLite.Runtime.Quantization;

namespace DeepLite.Runtime.Kernels;

/// <summary>
/// Reference MUL with NumPy broadcasting (<see cref="BroadcastReference"/>): float32 computes
/// <c>clamp(a · b, min, max)</c>; uint8/int8 follow one of TFLite's two rules: XNNPACK's float requantization
/// (<see cref="XnnpackMulParameters.Apply"/>, TFLite's default on CPU) or the reference kernels' fixed point
/// (<see cref="QuantizedMulParameters.Apply"/>, used when XNNPACK declines the scales).
/// </summary>
internal static class MulReference
{
    /// <summary>float32 <c>output = min(max(a · b, activationMin), activationMax)</c>.</summary>
    public static void F32(ReadOnlySpan<int> shapeA, ReadOnlySpan<float> a, ReadOnlySpan<int> shapeB, ReadOnlySpan<float> b,
        Span<float> output, float activationMin, float activationMax) =>
        BroadcastReference.Apply(shapeA, a, shapeB, b, output, (x, y) => Math.Min(Math.Max(x * y, activationMin), activationMax));

    /// <summary>Quantized MUL with TFLite's reference rule, one stored value at a time.</summary>
    public static void Quantized<T>(ReadOnlySpan<int> shapeA, ReadOnlySpan<T> a, ReadOnlySpan<int> shapeB, ReadOnlySpan<T> b,
        Span<T> output, QuantizedMulParameters p)
        where T : unmanaged, IBinaryInteger<T> =>
        BroadcastReference.Apply(shapeA, a, shapeB, b, output,
            (x, y) => T.CreateTruncating(p.Apply(int.CreateTruncating(x), int.CreateTruncating(y))));

    /// <summary>Quantized MUL with XNNPACK's rule, one stored value at a time.</summary>
    public static void Quantized<T>(ReadOnlySpan<int> shapeA, ReadOnlySpan<T> a, ReadOnlySpan<int> shapeB, ReadOnlySpan<T> b,
        Span<T> output, XnnpackMulParameters p)
        where T : unmanaged, IBinaryInteger<T> =>
        BroadcastReference.Apply(shapeA, a, shapeB, b, output,
            (x, y) => T.CreateTruncating(p.Apply(int.CreateTruncating(x), int.CreateTruncating(y))));
}

/// <summary>
/// XNNPACK's 8-bit MUL (<c>qu8/qs8 vmul</c> with float requantization), TFLite's default on CPU:
/// <c>out = clamp(round_half_even((q1 − zero1) · (q2 − zero2) · s) + outZero, min, max)</c> with the float32 scale
/// <c>s = scale1 · scale2 / outScale</c>. XNNPACK accepts s in [2^−16, 2^8) only; <see cref="TryCreate"/> returns null
/// outside it, where TFLite falls back to its reference kernel (<see cref="QuantizedMulParameters"/>).
/// </summary>
internal readonly record struct XnnpackMulParameters(int InputZeroPoint1, int InputZeroPoint2, float Scale, int OutputZeroPoint,
    int ActivationMin, int ActivationMax)
{
    public static XnnpackMulParameters? TryCreate(QuantizedOperand input1, QuantizedOperand input2, QuantizedOperand output, int activationMin, int activationMax)
    {
        float scale = input1.Scale * input2.Scale / output.Scale;
        if (!(scale >= 1f / 65536 && scale < 256f)) return null;
        return new XnnpackMulParameters(input1.ZeroPoint, input2.ZeroPoint, scale, output.ZeroPoint, activationMin, activationMax);
    }

    /// <summary>The output stored value for stored inputs <paramref name="q1"/> and <paramref name="q2"/>.</summary>
    public int Apply(int q1, int q2)
    {
        int product = (q1 - InputZeroPoint1) * (q2 - InputZeroPoint2);
        return Math.Clamp(FixedPoint.RequantizeFloat(product, Scale, OutputZeroPoint), ActivationMin, ActivationMax);
    }
}

/// <summary>
/// TFLite's 8-bit MUL arithmetic (reference <c>integer_ops/mul.h</c>):
/// <c>out = clamp(MultiplyByQuantizedMultiplier((q1 − zero1) · (q2 − zero2), Multiplier, Shift) + outZero, min, max)</c>
/// with the real multiplier <c>scale1 · scale2 / outScale</c> (float32 arithmetic, as TFLite) as Q31 and shift.
/// </summary>
internal readonly record struct QuantizedMulParameters(int Input1Offset, int Input2Offset, int OutputOffset, int Multiplier, int Shift,
    int ActivationMin, int ActivationMax)
{
    public static QuantizedMulParameters Create(QuantizedOperand input1, QuantizedOperand input2, QuantizedOperand output, int activationMin, int activationMax)
    {
        var (multiplier, shift) = FixedPoint.QuantizeMultiplier(input1.Scale * input2.Scale / output.Scale);
        return new QuantizedMulParameters(-input1.ZeroPoint, -input2.ZeroPoint, output.ZeroPoint, multiplier, shift, activationMin, activationMax);
    }

    /// <summary>The output stored value for stored inputs <paramref name="q1"/> and <paramref name="q2"/>.</summary>
    public int Apply(int q1, int q2)
    {
        int product = (q1 + Input1Offset) * (q2 + Input2Offset);
        int raw = FixedPoint.MultiplyByQuantizedMultiplier(product, Multiplier, Shift) + OutputOffset;
        return Math.Clamp(raw, ActivationMin, ActivationMax);
    }
}
