using System.Numerics;
using DeepLite.Runtime.Quantization;

namespace DeepLite.Runtime.Kernels;

/// <summary>
/// Reference ADD and SUB with NumPy broadcasting (<see cref="BroadcastReference"/>): float32 computes
/// <c>clamp(a ± b, min, max)</c>; uint8/int8 follow one of TFLite's two 8-bit rules: XNNPACK's
/// (<see cref="XnnpackAddParameters.Apply"/>, what TFLite runs by default on CPU) or the reference kernels'
/// (<see cref="QuantizedAddParameters.Apply"/>, used when XNNPACK declines the scales).
/// </summary>
internal static class AddReference
{
    /// <summary>float32 <c>output = min(max(a + b, activationMin), activationMax)</c>.</summary>
    public static void F32(ReadOnlySpan<int> shapeA, ReadOnlySpan<float> a, ReadOnlySpan<int> shapeB, ReadOnlySpan<float> b,
        Span<float> output, float activationMin, float activationMax) =>
        BroadcastReference.Apply(shapeA, a, shapeB, b, output, (x, y) => Math.Min(Math.Max(x + y, activationMin), activationMax));

    /// <summary>float32 <c>output = min(max(a − b, activationMin), activationMax)</c>.</summary>
    public static void SubtractF32(ReadOnlySpan<int> shapeA, ReadOnlySpan<float> a, ReadOnlySpan<int> shapeB, ReadOnlySpan<float> b,
        Span<float> output, float activationMin, float activationMax) =>
        BroadcastReference.Apply(shapeA, a, shapeB, b, output, (x, y) => Math.Min(Math.Max(x - y, activationMin), activationMax));

    /// <summary>Quantized ADD or SUB with TFLite's reference rule (the sign lives in <paramref name="p"/>), one stored value at a time.</summary>
    public static void Quantized<T>(ReadOnlySpan<int> shapeA, ReadOnlySpan<T> a, ReadOnlySpan<int> shapeB, ReadOnlySpan<T> b,
        Span<T> output, QuantizedAddParameters p)
        where T : unmanaged, IBinaryInteger<T> =>
        BroadcastReference.Apply(shapeA, a, shapeB, b, output,
            (x, y) => T.CreateTruncating(p.Apply(int.CreateTruncating(x), int.CreateTruncating(y))));

    /// <summary>Quantized ADD or SUB with XNNPACK's rule (the sign lives in <paramref name="p"/>), one stored value at a time.</summary>
    public static void Quantized<T>(ReadOnlySpan<int> shapeA, ReadOnlySpan<T> a, ReadOnlySpan<int> shapeB, ReadOnlySpan<T> b,
        Span<T> output, XnnpackAddParameters p)
        where T : unmanaged, IBinaryInteger<T> =>
        BroadcastReference.Apply(shapeA, a, shapeB, b, output,
            (x, y) => T.CreateTruncating(p.Apply(int.CreateTruncating(x), int.CreateTruncating(y))));
}

/// <summary>
/// XNNPACK's 8-bit ADD/SUB arithmetic (<c>qu8/qs8 vadd</c>), which TFLite applies by default on CPU. With the
/// float32 ratios <c>r1 = scale1 / outScale</c> and <c>r2 = ±scale2 / outScale</c> (minus for SUB), the shift is
/// <c>20 − ⌊log2 max(|r1|, |r2|)⌋</c> and the multipliers are <c>M_i = round_half_even(r_i · 2^shift)</c> (at most 21
/// bits), so that
/// <code>
/// acc = M1 · (q1 − zero1) + M2 · (q2 − zero2) + 2^(shift − 1)      (int32; the rounding term is folded into Bias)
/// out = clamp((acc &gt;&gt; shift) + outZero, ActivationMin, ActivationMax)    (arithmetic shift: ties round up)
/// </code>
/// XNNPACK (and so TFLite's delegate) only accepts ratios in [2^−10, 2^8); <see cref="TryCreate"/> returns null
/// outside that range, where TFLite falls back to its reference kernel (<see cref="QuantizedAddParameters"/>).
/// </summary>
internal readonly record struct XnnpackAddParameters(int Multiplier1, int Multiplier2, int Bias, int Shift, int OutputZeroPoint,
    int ActivationMin, int ActivationMax)
{
    public static XnnpackAddParameters? TryCreate(QuantizedOperand input1, QuantizedOperand input2, QuantizedOperand output,
        bool subtract, int activationMin, int activationMax)
    {
        float ratio1 = input1.Scale / output.Scale;
        float ratio2 = input2.Scale / output.Scale;
        if (!InRange(ratio1) || !InRange(ratio2)) return null;
        int exponent = (int)(BitConverter.SingleToUInt32Bits(Math.Max(ratio1, ratio2)) >> 23) - 127;
        int shift = 20 - exponent;
        int multiplier1 = (int)MathF.Round(MathF.ScaleB(ratio1, shift), MidpointRounding.ToEven);
        int multiplier2 = (int)MathF.Round(MathF.ScaleB(ratio2, shift), MidpointRounding.ToEven);
        if (subtract) multiplier2 = -multiplier2;
        int bias = (1 << (shift - 1)) - (multiplier1 * input1.ZeroPoint) - (multiplier2 * input2.ZeroPoint);
        return new XnnpackAddParameters(multiplier1, multiplier2, bias, shift, output.ZeroPoint, activationMin, activationMax);
    }

    private static bool InRange(float ratio) => ratio >= 1f / 1024 && ratio < 256f;

    /// <summary>The output stored value for stored inputs <paramref name="q1"/> and <paramref name="q2"/>.</summary>
    public int Apply(int q1, int q2)
    {
        int accumulator = Bias + (q1 * Multiplier1) + (q2 * Multiplier2);
        return Math.Clamp((accumulator >> Shift) + OutputZeroPoint, ActivationMin, ActivationMax);
    }
}

/// <summary>
/// TFLite's 8-bit ADD/SUB arithmetic (reference <c>add.h</c>, <c>sub.cc</c>). Both inputs are brought to a
/// common scale <c>2 · max(scale1, scale2)</c> with 20 bits of headroom, added in int32, and requantized:
/// <code>
/// s1 = MulSmallerThanOne((q1 − zero1) · 2^LeftShift, Input1Multiplier, Input1Shift)
/// s2 = MulSmallerThanOne((q2 − zero2) · 2^LeftShift, Input2Multiplier, Input2Shift)   (multiplier negated for SUB)
/// out = clamp(MulSmallerThanOne(s1 + s2, OutputMultiplier, OutputShift) + outZero, ActivationMin, ActivationMax)
/// </code>
/// where MulSmallerThanOne is a rounding doubling high multiply followed by a rounding right shift
/// (ties away from zero). Multipliers: <c>scale_i / (2 · max scale)</c> and <c>2 · max scale / (2^LeftShift · outScale)</c>.
/// </summary>
internal readonly record struct QuantizedAddParameters(
    int Input1Offset, int Input1Multiplier, int Input1Shift,
    int Input2Offset, int Input2Multiplier, int Input2Shift,
    int OutputOffset, int OutputMultiplier, int OutputShift,
    int LeftShift, int ActivationMin, int ActivationMax)
{
    /// <summary>TFLite's headroom shift for 8-bit inputs.</summary>
    public const int EightBitLeftShift = 20;

    /// <summary>Derives the parameters as TFLite's Prepare does; <paramref name="subtract"/> negates the second multiplier.</summary>
    public static QuantizedAddParameters Create(QuantizedOperand input1, QuantizedOperand input2, QuantizedOperand output,
        bool subtract, int activationMin, int activationMax)
    {
        double twiceMaxInputScale = 2 * Math.Max(input1.Scale, input2.Scale);
        var (multiplier1, shift1) = FixedPoint.QuantizeMultiplier(input1.Scale / twiceMaxInputScale);
        var (multiplier2, shift2) = FixedPoint.QuantizeMultiplier(input2.Scale / twiceMaxInputScale);
        var (outputMultiplier, outputShift) = FixedPoint.QuantizeMultiplier(twiceMaxInputScale / ((1 << EightBitLeftShift) * output.Scale));
        return new QuantizedAddParameters(-input1.ZeroPoint, multiplier1, shift1, -input2.ZeroPoint, subtract ? -multiplier2 : multiplier2, shift2,
            output.ZeroPoint, outputMultiplier, outputShift, EightBitLeftShift, activationMin, activationMax);
    }

    /// <summary>True when every multiplier is below one (shifts ≤ 0), which TFLite's arithmetic assumes.</summary>
    public bool HasMultipliersBelowOne => Input1Shift <= 0 && Input2Shift <= 0 && OutputShift <= 0;

    /// <summary>The output stored value for stored inputs <paramref name="q1"/> and <paramref name="q2"/>.</summary>
    public int Apply(int q1, int q2)
    {
        int shifted1 = (q1 + Input1Offset) * (1 << LeftShift);
        int shifted2 = (q2 + Input2Offset) * (1 << LeftShift);
        int scaled1 = FixedPoint.MultiplyByQuantizedMultiplierSmallerThanOne(shifted1, Input1Multiplier, Input1Shift);
        int scaled2 = FixedPoint.MultiplyByQuantizedMultiplierSmallerThanOne(shifted2, Input2Multiplier, Input2Shift);
        int raw = FixedPoint.MultiplyByQuantizedMultiplierSmallerThanOne(scaled1 + scaled2, OutputMultiplier, OutputShift) + OutputOffset;
        return Math.Clamp(raw, ActivationMin, ActivationMax);
    }
}
